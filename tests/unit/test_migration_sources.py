"""A migration keeps doing what it did when it was released: it carries its own copy of
whatever it needs, and reads nothing of the app's code, which goes on changing."""

import ast

import pytest

from callhelper.store.engine import MIGRATIONS_DIR

MIGRATIONS = sorted((MIGRATIONS_DIR / "versions").glob("*.py"))


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


def test_the_migrations_are_found():
    assert len(MIGRATIONS) >= 12


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: path.stem)
def test_a_migration_imports_none_of_the_apps_code(path):
    app_code = [module for module in imported_modules(path)
                if module.split(".")[0] == "callhelper" or module.startswith(".")]
    assert not app_code, (
        f"{path.name} imports {', '.join(app_code)}: copy what it needs into the migration, "
        "so that it keeps doing what it did when it was released")
