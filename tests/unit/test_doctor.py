"""``doctor`` on the Qt binding: a release known to lose references is named before it
aborts an agent's window, and the project never declares one for a Python it harms."""

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

from callhelper.doctor import LEAKING_BINDINGS, PROBLEM, OK, binding_check, versions

ROOT = Path(__file__).resolve().parents[2]


def test_a_binding_that_loses_references_is_a_problem_only_where_python_counts_them():
    bad = binding_check("6.12.0 (Qt 6.12.0)", (3, 11))
    assert bad.status == PROBLEM
    assert "aborts" in bad.detail and "Python 3.12 or later" in bad.detail
    assert bad.data == {"binding": "6.12.0", "python": "3.11", "known_bad": True}
    assert binding_check("6.12.0 (Qt 6.12.0)", (3, 12)).status == OK
    assert binding_check("6.11.3 (Qt 6.11.3)", (3, 11)).status == OK


def test_the_running_binding_is_not_a_known_bad_pair():
    check = binding_check(versions()["PySide6"], sys.version_info[:2])
    assert check.status == OK, check.detail


def test_the_declared_dependencies_exclude_every_known_bad_pair():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bindings = [Requirement(line) for line in project["dependencies"]
                if Requirement(line).name.lower() == "pyside6-essentials"]
    assert bindings
    for release, harmless_from in LEAKING_BINDINGS.items():
        for minor in range(11, 15):
            python = {"python_version": f"3.{minor}", "python_full_version": f"3.{minor}.0"}
            allowed = [requirement for requirement in bindings
                       if requirement.marker is None or requirement.marker.evaluate(python)]
            assert len(allowed) == 1, python
            admitted = allowed[0].specifier.contains(Version(release))
            assert admitted == ((3, minor) >= harmless_from), (release, python)
