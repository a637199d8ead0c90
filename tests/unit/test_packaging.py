"""What pyproject.toml puts into the wheel: every folder of the package and of resources/."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def packages_in(folder: Path, name: str) -> set[str]:
    """``folder`` and each folder below it as a package named from ``name``: setuptools
    installs only the folders its ``packages`` list names, whether or not they hold code."""
    return {name} | {".".join((name, *below.relative_to(folder).parts))
                     for below in folder.rglob("*")
                     if below.is_dir() and "__pycache__" not in below.parts}


def test_the_package_list_names_every_folder_of_the_code_and_of_the_resources():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"]
    resources = ROOT / setuptools["package-dir"]["callhelper.resources"]
    assert resources == ROOT / "resources"
    folders = packages_in(ROOT / "callhelper", "callhelper") | \
        packages_in(resources, "callhelper.resources")
    listed = set(setuptools["packages"])
    assert not folders - listed, \
        f"left out of the wheel: add {sorted(folders - listed)} to packages in pyproject.toml"
    assert not listed - folders, f"packages without a folder: {sorted(listed - folders)}"
