"""Fixtures of the tests that run the app as real processes."""

from datetime import datetime, timedelta, timezone

import pytest

from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact
from processes import database, stop


@pytest.fixture
def known_caller(tmp_path):
    """A database in which 山田 太郎 (03-1234-5678) has called twice before."""
    store = Store(f"sqlite:///{database(tmp_path)}")
    started = datetime.now(timezone.utc) - timedelta(days=3)
    for number in range(2):
        with store.unit_of_work() as session:
            repository.start_contact(session, NewContact(
                f"old-{number}", "佐藤", "complaint", 2, started + timedelta(hours=number),
                "03-1234-5678", "山田 太郎"))
    store.close()


@pytest.fixture
def stop_all():
    """Processes a test started, stopped at its end as a user would."""
    processes = []
    yield processes
    for process in processes:
        stop(process)
