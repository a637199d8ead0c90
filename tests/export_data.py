"""Calls a supervisor's export has to show right: a caller known from an earlier call who did
not give a name this time, numbers written several ways, a promise with its due time, a
wrap-up's subject, and words a spreadsheet would take for a formula or a number."""

from datetime import datetime, timedelta, timezone

from callhelper.config import resources_dir
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.flags import load_rules
from callhelper.store import repository
from callhelper.store.engine import Store

STARTED = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)
DUE = datetime(2026, 11, 21, 6, 30, tzinfo=timezone.utc)
SUBJECT = "炊飯器: 返金の要望"
CUSTOMER = "山田 太郎"
FORMULA_LIKE = ("=1+1", "+81 3 1234 5678 に掛け直せ", "-100万円払え", "@店長 を出せ")
#: Notes a spreadsheet would read as numbers (losing the leading zero) or as a date.
NUMBER_LIKE = ("09012345678", "03-1234-5678", "0120-000-111 に転送", "1/2")
#: (call, number as typed, name as typed, the number as the export shows it)
CALLS = (("first", "09012345678", CUSTOMER, "090-1234-5678"),
         ("again", "０９０（１２３４）５６７８", "", "090-1234-5678"),
         ("office", "+81 3 1234 5678", "佐藤 花子", "03-1234-5678"))


def local(moment: datetime) -> datetime:
    """A time as the export shows it: local, naive, to the second."""
    return moment.astimezone().replace(tzinfo=None, microsecond=0)


def add_supervisor_calls(database_url: str) -> None:
    rules = load_rules(resources_dir() / "rules" / "demands.toml")
    store = Store(database_url)
    try:
        with store.unit_of_work() as session:
            for index, (uid, number, name, _shown) in enumerate(CALLS):
                started = STARTED + timedelta(hours=index)
                repository.start_contact(session, repository.NewContact(
                    uid, "鈴木", "complaint", 2, started, number, name))
            repository.add_note(session, "first", "kneel", NoteKind.QUOTE, "土下座しろ", 89_000,
                                "鈴木", STARTED, rules)
            repository.add_note(session, "first", "promise", NoteKind.PROMISE,
                                "明日15時半に折り返す", 120_000, "鈴木", STARTED, rules,
                                due_at=DUE)
            repository.save_wrap_up(session, "first", WrapUp(
                SUBJECT, Level.HIGH, Level.MEDIUM, "返金手続き", "", CaseStatus.WAITING_CALLBACK),
                "鈴木", STARTED + timedelta(minutes=10))
            for index, words in enumerate(FORMULA_LIKE):
                repository.add_note(session, "again", f"again-{index}", NoteKind.QUOTE, words,
                                    index * 1000, "鈴木", STARTED, rules)
            for index, words in enumerate(NUMBER_LIKE):
                repository.add_note(session, "office", f"office-{index}", NoteKind.FACT, words,
                                    5_000 + index, "鈴木", STARTED, rules)
    finally:
        store.close()
