"""Every field a person types has its card numbers masked before it reaches the disk: in the
file of unsaved writes, in the database, in its audit trail and search index."""

import json
import sqlite3
from dataclasses import asdict
from datetime import datetime, timezone

import pytest

from callhelper.config import resources_dir
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.flags import load_rules
from callhelper.store import journal
from callhelper.store.engine import Store
from callhelper.store.operations import Operation
from callhelper.store.repository import CustomerProfile, NewContact

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
AT = datetime(2026, 12, 4, 10, 30, tzinfo=timezone.utc)
#: One card per field, each written another way; all Luhn-valid.
CARDS = {
    "caller": "4111-1111-1111-1111",
    "profile name": "5500 0000 0000 0004",
    "company": "3782 822463 10005",
    "profile note": "4012888888881881",
    "other number": "6011 1111 1111 1117",
    "subject": "４２４２　４２４２　４２４２　４２４２",
    "fix": "5105\u00a01051\u00a00510\u00a05100",
    "prevention": "4000\u200b0566\u200b5566\u200b5556",
    "senior": "3566–0020–2036–0505",
    "summary": "6011000990139424",
    "promise": "4111 1111 1111 1111 123",
}


def digits(text: str) -> str:
    return "".join(str(int(char)) for char in text if char.isdecimal())


def typed_operations() -> list[Operation]:
    new = NewContact(uid="c1", agent="鈴木", playbook_id="complaint", playbook_version=1,
                     started_at=AT, phone="03-1234-5678",
                     caller_name=f"山田 {CARDS['caller']}")
    profile = CustomerProfile(
        name=f"山田 {CARDS['profile name']}", company=f"株式会社 {CARDS['company']}",
        note=f"カード {CARDS['profile note']} を登録済み",
        other_numbers=f"090-1234-5678, {CARDS['other number']}、+8613800138002")
    wrap_up = WrapUp(subject=f"カード {CARDS['subject']} の二重請求", urgency=Level.HIGH,
                     impact=Level.MEDIUM, fix=f"{CARDS['fix']} に返金", status=CaseStatus.RESOLVED,
                     prevention=f"{CARDS['prevention']} を読み上げない")
    return [
        Operation.of("start_contact", **asdict(new)),
        Operation.of("update_customer", contact_uid="c1", profile=profile, at=AT),
        Operation.of("add_note", contact_uid="c1", note_uid="n1", kind=NoteKind.PROMISE,
                     text=f"{CARDS['promise']} に明日返金します", offset_ms=1000, agent="鈴木",
                     created_at=AT, due_at=AT),
        Operation.of("record_escalation", contact_uid="c1", reasons=["flagged"],
                     summary=f"要約: {CARDS['summary']}", agent="鈴木", offset_ms=2000, at=AT),
        Operation.of("add_handler", contact_uid="c1", name=f"佐藤 {CARDS['senior']}",
                     role="senior", at=AT),
        Operation.of("save_wrap_up", contact_uid="c1", wrap_up=wrap_up, actor="鈴木", at=AT),
    ]


@pytest.fixture
def replayed(tmp_path):
    """The operations kept in a journal, then replayed into a real SQLite file."""
    path = tmp_path / "data" / journal.JOURNAL_FILE
    journal.keep([path], [operation.record() for operation in typed_operations()])
    kept = path.read_text(encoding="utf-8")
    database = tmp_path / "data" / "callhelper.db"
    store = Store(f"sqlite:///{database}")
    with store.unit_of_work() as session:
        assert journal.replay(session, journal.load(path), RULES) == (6, [])
    store.close()
    return kept, database


def test_no_card_number_is_kept_in_the_file_of_unsaved_writes(replayed):
    kept, _ = replayed
    for field, card in CARDS.items():
        assert digits(card)[:-4] not in digits(kept), field
    assert "090-1234-5678" in kept and "+8613800138002" in kept


def test_no_card_number_reaches_the_database_files(replayed):
    _, database = replayed
    stored = b"".join(path.read_bytes() for path in database.parent.iterdir()
                      if path.name.startswith(database.name))
    for field, card in CARDS.items():
        assert card.encode() not in stored, field
        assert digits(card).encode() not in stored, field


def test_each_field_keeps_the_last_four_digits_and_phone_numbers_stay(replayed):
    _, database = replayed
    with sqlite3.connect(database) as connection:
        def one(sql):
            return connection.execute(sql).fetchone()

        assert one("SELECT caller_name FROM contact") == ("山田 ****-****-****-1111",)
        assert one("SELECT name, company, note FROM customer") == (
            "山田 **** **** **** 0004", "株式会社 **** ****** *0005",
            "カード ************1881 を登録済み")
        assert sorted(phone for (phone,) in connection.execute(
            "SELECT phone FROM customer_phone")) == [
            "**** **** **** 1117", "+8613800138002", "03-1234-5678", "090-1234-5678"]
        assert one("SELECT subject, fix, prevention FROM support_case") == (
            "カード ****　****　****　４２４２ の二重請求", "****\u00a0****\u00a0****\u00a05100 に返金",
            "****\u200b****\u200b****\u200b5556 を読み上げない")
        assert one("SELECT name FROM contact_handler WHERE role = 'senior'") == (
            "佐藤 ****–****–****–0505",)
        assert one("SELECT summary FROM escalation") == ("要約: ************9424",)
        assert one("SELECT text FROM note") == ("**** **** **** 1111 123 に明日返金します",)
        audit = json.dumps(connection.execute("SELECT * FROM audit_entry").fetchall(),
                           ensure_ascii=False)
        assert "****\u00a0****\u00a0****\u00a05100 に返金" in audit
