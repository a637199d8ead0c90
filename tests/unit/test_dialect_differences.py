"""Every place where SQLite and PostgreSQL differ is named in store/dialect.py: the rest of
the store asks it (``keeps_search_tables``, ``insert_construct`` …) instead of testing which
database it is on, so the differences can be read, and changed, in one file."""

import re
from pathlib import Path

import pytest

import callhelper.store

STORE = Path(callhelper.store.__file__).resolve().parent
#: What a module that tests for the database itself would write.
DIALECT_TEST = re.compile(r"""is_postgresql\(|[!=]=\s*POSTGRESQL|get_backend_name\(|"""
                          r"""dialect\.name\s*[!=]=|["'](postgresql|sqlite)["']|"""
                          r"""startswith\(["']sqlite|SQLITE_PREFIX""")
MODULES = sorted(path for path in STORE.glob("*.py") if path.name != "dialect.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.stem)
def test_the_store_asks_dialect_py_where_the_databases_differ(path):
    found = [f"{path.name}:{number}: {line.strip()}"
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if DIALECT_TEST.search(line)]
    assert not found, ("a test for the kind of database outside store/dialect.py; name the "
                       "difference there:\n" + "\n".join(found))
