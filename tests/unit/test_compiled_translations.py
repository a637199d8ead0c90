"""The compiled translations are committed, so that a wheel built from a clean clone
carries them: each must be what `make i18n` makes of its .ts as it is now."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

I18N = Path(__file__).resolve().parents[2] / "resources" / "i18n"
LRELEASE = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))


@pytest.mark.parametrize("source", sorted(I18N.glob("*.ts")), ids=lambda path: path.name)
def test_each_committed_translation_is_its_source_compiled(source, tmp_path):
    committed = source.with_suffix(".qm")
    assert committed.is_file(), f"{committed.name} is missing: run `make i18n` and commit it"
    fresh = tmp_path / committed.name
    subprocess.run([LRELEASE, "-silent", str(source), "-qm", str(fresh)], check=True,
                   timeout=120)
    assert committed.read_bytes() == fresh.read_bytes(), \
        f"{committed.name} is not {source.name} compiled: run `make i18n` and commit it"
