"""``doctor`` on the Qt binding (a release known to lose references is named before it
aborts an agent's window, and the project never declares one for a Python it harms), and on
what the app reads besides the database: rules, model, playbooks, translations."""

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

from callhelper.config import resources_dir
from callhelper.doctor import LEAKING_BINDINGS, PROBLEM, OK, binding_check, diagnose, versions

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


def content_checks(paths, settings):
    return {check.name: check for check in diagnose(paths, settings).checks
            if check.name in ("demand rules", "playbooks", "translations")}


def test_the_rules_their_model_the_playbooks_and_the_translations_are_checked(paths, settings):
    checks = content_checks(paths, settings)
    assert {name: check.status for name, check in checks.items()} == {
        "demand rules": OK, "playbooks": OK, "translations": OK}
    assert "a model of" in checks["demand rules"].detail
    assert "complaint" in checks["playbooks"].detail


def test_a_users_playbook_that_does_not_read_or_answers_no_known_flag_is_named(paths, settings):
    folder = paths.config_dir / "playbooks"
    folder.mkdir(parents=True, exist_ok=True)
    shipped = (resources_dir() / "playbooks" / "complaint.toml").read_text(encoding="utf-8")
    (folder / "ours.toml").write_text(
        shipped.replace('id = "complaint"', 'id = "ours"', 1)
        .replace('on = ["violence"', 'on = ["violense"', 1), encoding="utf-8")
    (folder / "broken.toml").write_text("[[steps]\n", encoding="utf-8")
    detail = content_checks(paths, settings)["playbooks"].detail
    assert content_checks(paths, settings)["playbooks"].status == PROBLEM
    assert "broken.toml" in detail
    assert "ours: a response names no known category or signal: violense" in detail
