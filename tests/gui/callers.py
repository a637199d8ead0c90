"""A caller's earlier calls, written into the test's database as the app would have."""

from datetime import timedelta

from callhelper.core.case import Level, NoteKind, WrapUp
from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact
from callhelper.app.bootstrap import demand_rules


def earlier_call(paths, clock, uid, days_ago, subject, status, promise="", agent="佐藤"):
    """A call of 山田 太郎 (03-1234-5678) ``days_ago`` days ago, wrapped up with ``subject``
    and ``status`` (and a note of ``promise``, if given)."""
    store = Store(paths.database_url)
    with store.unit_of_work() as session:
        started = clock.now() - timedelta(days=days_ago)
        repository.start_contact(session, NewContact(uid, agent, "complaint", 2, started,
                                                     "03-1234-5678", "山田 太郎"))
        if promise:
            repository.add_note(session, uid, f"{uid}-p", NoteKind.PROMISE, promise, 1000, agent,
                                started, demand_rules())
        repository.save_wrap_up(session, uid, WrapUp(subject, Level.HIGH, Level.MEDIUM, "", "",
                                                     status), agent, started)
        repository.update_customer(session, uid, repository.CustomerProfile(
            "山田 太郎", "株式会社ヤマダ商事", "電話(メールは見ない)", "水曜午後は不在"), started)
    store.close()
