"""The wheel, as `pip install .`, pipx or `uv tool install` make it: built from the checkout,
installed into a fresh virtual environment, and run from outside the checkout, where only
what the wheel carries can be found.

Building and installing (with the dependencies, from the package index or pip's cache) take
a minute or two, so they happen once for this module. `-m 'not wheel'` leaves it out.
"""

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from callhelper import __version__
from processes import bare_environment

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = "Scripts" if sys.platform == "win32" else "bin"
#: What the build writes into a source tree or keeps there, never part of the wheel: the copy
#: built from leaves them out, as setuptools would put stale files in build/ into the wheel.
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                     "__pycache__", ".pytest_cache", ".cache", "results")

#: Opens the call window as `callhelper` does and, once it is ready, prints the texts it
#: shows and closes it as a user would.
SHOW_WINDOW = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
import callhelper.ui.start as app
from callhelper import cli

build = app.build_call_window

def build_and_report(*args, **kwargs):
    window = build(*args, **kwargs)

    def ready():
        shown = [widget.text() for kind in (QLabel, QAbstractButton)
                 for widget in window.findChildren(kind) if widget.isVisible()]
        print(json.dumps(shown))
        QTimer.singleShot(0, QApplication.instance().closeAllWindows)

    window.ready.connect(ready)
    return window

app.build_call_window = build_and_report
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The scripts folder of a fresh virtual environment with the wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", str(source),
                            "-w", str(work / "wheels")], cwd=work, capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, f"pip wheel failed:\n{built.stderr[-5000:]}"
    wheel, = (work / "wheels").glob("callhelper-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(work / "env")], check=True, timeout=300)
    scripts = work / "env" / SCRIPTS
    install = subprocess.run([str(scripts / "python"), "-m", "pip", "install", "--quiet",
                              str(wheel)], cwd=work, capture_output=True, text=True,
                             timeout=1200)
    assert install.returncode == 0, f"installing the wheel failed:\n{install.stderr[-5000:]}"
    return scripts


@pytest.fixture
def home(tmp_path):
    """A home outside the checkout, its settings folder private as the app makes it."""
    (tmp_path / "config").mkdir(mode=0o700)
    return tmp_path


def run(scripts: Path, home: Path, program: str, *args: str, check: bool = True):
    result = subprocess.run([str(scripts / program), *args], cwd=home,
                            env=bare_environment(home), capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    if check:
        assert result.returncode == 0, (f"{program} {' '.join(args)} exited with "
                                        f"{result.returncode}:\n{result.stderr}")
    return result


def test_the_installed_program_prints_its_version(installed, home):
    assert run(installed, home, "callhelper", "--version").stdout.strip() == \
        f"CallHelper {__version__}"


def test_the_installed_program_flags_with_the_shipped_rules(installed, home):
    assert "kneeling_apology" in run(installed, home, "callhelper", "analyze",
                                     "土下座しろ").stdout, \
        "the demand rules (resources/rules) did not flag a demanded kneeling apology"


def test_doctor_finds_the_rules_their_model_the_playbooks_and_the_translations(installed,
                                                                              home):
    result = run(installed, home, "callhelper", "--data-dir", str(home / "data"), "doctor",
                 "--json", check=False)
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    for name in ("demand rules", "playbooks", "translations"):
        assert checks[name]["status"] == "ok", f"doctor: {checks[name]}"
    assert "model" in checks["demand rules"]["detail"], checks["demand rules"]
    assert "complaint" in checks["playbooks"]["data"]["playbooks"]
    assert "callhelper_ja" in checks["translations"]["detail"], checks["translations"]
    assert result.returncode == 0, f"doctor found problems:\n{result.stdout}"


def japanese_translations() -> set[str]:
    """The translations of callhelper_ja.ts that differ from their English source."""
    tree = ET.parse(ROOT / "resources" / "i18n" / "callhelper_ja.ts")
    return {message.findtext("translation") for message in tree.iter("message")} - \
        {message.findtext("source") for message in tree.iter("message")} - {None, ""}


def test_the_installed_window_speaks_japanese(installed, home):
    (home / "config" / "settings.json").write_text('{"language": "ja"}', encoding="utf-8")
    result = run(installed, home, "python", "-c", SHOW_WINDOW, "--data-dir",
                 str(home / "data"))
    shown = json.loads(result.stdout.splitlines()[-1])
    assert set(shown) & japanese_translations(), \
        f"the window shows no Japanese text of callhelper_ja.ts:\n{shown}\n{result.stderr}"
    assert "no translation" not in result.stderr, result.stderr
