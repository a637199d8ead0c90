"""Real database files for the data-safety tests: one holding cases, one genuinely damaged
the way a failing disk or an interrupted copy damages a file, and another program's."""

import sqlite3
from datetime import datetime, timezone

from callhelper.config import resources_dir
from callhelper.core.flags import load_rules
from callhelper.store.demo import fill_demo
from callhelper.store.engine import Store

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
DEMO_NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def database_with_cases(path, cases=30, seed=3, now=DEMO_NOW):
    """A database file with ``cases`` demo cases, closed (its log written into it)."""
    store = Store(f"sqlite:///{path}")
    fill_demo(store, cases, seed, RULES, now)
    store.close()
    return path


def case_count(path):
    with sqlite3.connect(path) as connection:
        count = connection.execute("SELECT count(*) FROM support_case").fetchone()[0]
    connection.close()
    return count


def damage(path):
    """Overwrite 8 KiB in the middle of the file: a table's pages become garbage while the
    header stays intact, so SQLite opens the file and finds the damage only when it looks."""
    size = path.stat().st_size
    with open(path, "r+b") as stream:
        stream.seek(size // 2)
        stream.write(bytes(range(256)) * 32)
    return path.read_bytes()


def another_programs_database(path):
    """A SQLite file some other program made: CallHelper must leave it alone."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE bookmarks (url TEXT, title TEXT)")
    connection.execute("INSERT INTO bookmarks VALUES ('https://example.com', 'example')")
    connection.commit()
    connection.close()
