"""The records of the window's writes (store/operations.py) stay readable and byte-identical
from one version to the next: a journal of unsaved writes or an outbox left by this version is
replayed by the next, and a write made now is written exactly as before.

tests/data/journal_v1.jsonl holds one journal line per operation (two for some), as the app
wrote them before operations were read back as typed records; tests/data/outbox_v1.jsonl the
same operations as outbox rows. Neither file is ever rewritten: a change that fails these
tests changes the format, which journals and outboxes already on agents' computers hold.
"""

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from databases import raw_rows

from callhelper.config import resources_dir
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp
from callhelper.core.flag_review import FlagState
from callhelper.core.flags import load_rules
from callhelper.core.session import StepChange
from callhelper.store import journal, live
from callhelper.store.engine import Store
from callhelper.store.operations import OPERATIONS, Operation, UnknownOperation
from callhelper.store.repository import CustomerProfile, NewContact

RULES = load_rules(resources_dir() / "rules" / "demands.toml")
DATA = Path(__file__).resolve().parents[1] / "data"
JOURNAL = DATA / "journal_v1.jsonl"
OUTBOX = DATA / "outbox_v1.jsonl"
JST = timezone(timedelta(hours=9))
T = datetime(2026, 12, 4, 10, 30, tzinfo=timezone.utc)


def at(seconds, tz=timezone.utc):
    return (T + timedelta(seconds=seconds)).astimezone(tz)


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def the_writes_of_a_call() -> list[Operation]:
    """The operations the two files hold, made as the window makes them (``Operation.of``),
    with the uids they were written with."""
    made = [
        ("start_contact", vars(NewContact(
            uid="c1", agent="鈴木", playbook_id="complaint", playbook_version=3,
            started_at=at(0), phone="03-1234-5678", caller_name="山田 4111-1111-1111-1111",
            phone_region="JP", direction="incoming", case_uid=""))),
        ("record_step_change", dict(contact_uid="c1", change=StepChange("greet", True, 3.25,
                                                                         3.25),
                                    agent="鈴木", at=at(4))),
        ("set_case_levels", dict(contact_uid="c1", urgency="high", impact="", actor="鈴木",
                                 at=at(5))),
        ("add_note", dict(contact_uid="c1", note_uid="n1", kind=NoteKind.QUOTE,
                          text="カード 4111 1111 1111 1111 で払った\tのに「届かない」",
                          offset_ms=12_345, agent="鈴木", created_at=at(12.345))),
        ("add_note", dict(contact_uid="c1", note_uid="n2", kind=NoteKind.PROMISE,
                          text="明日の午前中に折り返します", offset_ms=20_000, agent="鈴木",
                          created_at=at(20), due_at=at(86_400, JST))),
        ("edit_note", dict(note_uid="n1", text="カード **** **** **** 1111 で払ったのに「届かない」😡",
                           actor="鈴木", at=at(25.5))),
        ("add_note", dict(contact_uid="c1", note_uid="n3", kind=NoteKind.AGENT_NOTE,
                          text="書き間違い", offset_ms=30_000, agent="鈴木", created_at=at(30))),
        ("delete_note", dict(note_uid="n3", actor="鈴木", at=at(31))),
        ("restore_note", dict(note_uid="n3", actor="鈴木", at=at(32))),
        ("add_note", dict(contact_uid="c1", note_uid="n4", kind=NoteKind.QUOTE,
                          text="SNSに晒すぞ", offset_ms=40_000, agent="鈴木", created_at=at(40))),
        ("review_flag", dict(review_uid="r1", note_uid="n4", category="threat",
                             state=FlagState.CONFIRMED, actor="鈴木", at=at(41))),
        ("update_customer", dict(contact_uid="c1", profile=CustomerProfile(
            name="山田 太郎", company="山田商店", preferred_channel="メール", unavailable="平日午前",
            note="カード 5500 0000 0000 0004 を登録済み",
            other_numbers="090-1111-2222、6011 1111 1111 1117"), at=at(50), region="JP")),
        ("record_escalation", dict(contact_uid="c1", reasons=["flagged", "high"],
                                   summary="要約: 返金を強く要求", agent="鈴木", offset_ms=60_000,
                                   at=at(60))),
        ("add_handler", dict(contact_uid="c1", name="佐藤 3566-0020-2036-0505", role="senior",
                             at=at(61), actor="鈴木")),
        ("raise_hand", dict(hand_uid="h1", contact_uid="c1", agent="鈴木", reason="harassment",
                            at=at(62))),
        ("set_hand_reason", dict(hand_uid="h1", reason="decision")),
        ("publish_call", dict(live_state=live.LiveState(
            contact_uid="c1", agent="鈴木", caller="山田 4111 1111 1111 1111", state=live.ACTIVE,
            started_at=at(0), step="お詫び", step_due_at=at(90, JST), limit_at=None,
            suspected=1, confirmed=1, escalations=1), at=at(63))),
        ("lower_hand", dict(hand_uid="h1", at=at(64))),
        ("set_hold", dict(contact_uid="c1", on_hold=True, talk_seconds=70.125,
                          hold_seconds=0.0)),
        ("set_hold", dict(contact_uid="c1", on_hold=False, talk_seconds=70.125,
                          hold_seconds=15.5)),
        ("end_contact", dict(contact_uid="c1", ended_at=at(100), talk_seconds=84.5,
                             hold_seconds=15.5)),
        ("save_wrap_up", dict(contact_uid="c1", wrap_up=WrapUp(
            "二重請求 4242 4242 4242 4242", Level.HIGH, None, "返金した", "梱包を見直す",
            CaseStatus.WAITING_CALLBACK), actor="鈴木", at=at(110))),
        ("complete_promise", dict(note_uid="n2", by="鈴木", at=at(3600, JST))),
        ("complete_prevention", dict(case_uid="c1", by="高橋", at=at(7200))),
        ("start_contact", vars(NewContact(
            uid="c2", agent="鈴木", playbook_id="complaint", playbook_version=3,
            started_at=datetime(2026, 12, 5, 9, 0, 0, 250_000, tzinfo=JST),
            phone="+81 90-9876-5432", caller_name="", phone_region="JP", direction="outgoing",
            case_uid=""))),
        ("move_contact", dict(contact_uid="c2", case_uid="c1", actor="鈴木", at=at(90_000))),
    ]
    return [Operation(name, Operation.of(name, **args).args, f"{number:032x}")
            for number, (name, args) in enumerate(made)]


def test_the_files_hold_every_kind_of_write():
    assert {json.loads(line)["op"] for line in lines(JOURNAL)} == set(OPERATIONS)
    assert len(lines(OUTBOX)) == len(lines(JOURNAL))


def test_a_write_is_journalled_and_kept_for_the_server_exactly_as_before(tmp_path):
    path = tmp_path / journal.JOURNAL_FILE
    writes = the_writes_of_a_call()
    journal.append(path, [write.record() for write in writes])
    assert path.read_bytes() == JOURNAL.read_bytes()
    assert [write.to_json() for write in writes] == lines(OUTBOX)


def test_records_read_back_are_the_writes_and_are_written_again_byte_for_byte():
    """Read back, each argument has the type it was made with (a time, a kind of note, a
    wrap-up …), and the record is written again as it was read."""
    writes = the_writes_of_a_call()
    for write, line, row in zip(writes, lines(JOURNAL), lines(OUTBOX), strict=True):
        kept, shipped = Operation.from_record(json.loads(line)), Operation.from_json(row)
        assert kept == shipped
        assert (kept.name, kept.uid, list(kept.args)) == (write.name, write.uid,
                                                          list(write.args))
        for name, value in write.args.items():
            assert isinstance(kept.args[name], type(value)), (write.name, name)
        assert json.dumps(kept.record(), ensure_ascii=False) == line
        assert shipped.to_json() == row


@pytest.fixture
def replayed(tmp_path):
    """The journal of this version, found at the start and replayed into a real file."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(JOURNAL, data / journal.JOURNAL_FILE)
    url = f"sqlite:///{data / 'callhelper.db'}"
    store = Store(url)
    with store.unit_of_work() as session:
        applied = journal.replay_kept(session, [data / journal.JOURNAL_FILE], RULES)
    store.close()
    return applied, data, url


def test_a_journal_of_this_version_is_replayed_whole(replayed):
    applied, data, url = replayed
    assert applied == len(lines(JOURNAL))
    assert not (data / journal.JOURNAL_FILE).exists()
    assert not (data / journal.FAILED_FILE).exists(), "every write was applied"
    assert raw_rows(url, "SELECT uid, caller_name, direction, talk_seconds, hold_seconds, "
                         "on_hold, state FROM contact ORDER BY id") == [
        ("c1", "山田 ****-****-****-1111", "incoming", 84.5, 15.5, 0, "closed"),
        ("c2", "", "outgoing", 0.0, 0.0, 0, "active")]
    assert raw_rows(url, "SELECT n.uid, n.kind, n.text, n.offset_ms, n.done_by FROM note n "
                         "ORDER BY n.id") == [
        ("n1", "quote", "カード **** **** **** 1111 で払ったのに「届かない」😡", 12_345, ""),
        ("n2", "promise", "明日の午前中に折り返します", 20_000, "鈴木"),
        ("n3", "agent_note", "書き間違い", 30_000, ""),
        ("n4", "quote", "SNSに晒すぞ", 40_000, "")]
    assert raw_rows(url, "SELECT note_uid, category, state FROM flag_review") == [
        ("n4", "threat", "confirmed")]
    assert raw_rows(url, "SELECT name, company, preferred_channel, note FROM customer "
                         "WHERE name <> ''") == [
        ("山田 太郎", "山田商店", "メール", "カード **** **** **** 0004 を登録済み")]
    assert raw_rows(url, "SELECT subject, status, urgency, fix, prevention, "
                         "prevention_done_by FROM support_case") == [
        ("二重請求 **** **** **** 4242", "waiting_callback", "high", "返金した", "梱包を見直す",
         "高橋")]
    assert raw_rows(url, "SELECT count(DISTINCT case_id) FROM contact") == [(1,)], \
        "the second call was put on the first one's case"
    assert raw_rows(url, "SELECT summary FROM escalation") == [("要約: 返金を強く要求",)]
    assert raw_rows(url, "SELECT name, role FROM contact_handler WHERE role = 'senior'") == [
        ("佐藤 ****-****-****-0505", "senior")]
    assert raw_rows(url, "SELECT reason, lowered_at IS NOT NULL FROM raised_hand") == [
        ("decision", 1)]
    assert raw_rows(url, "SELECT caller, step, suspected, confirmed FROM live_call") == [
        ("山田 **** **** **** 1111", "お詫び", 1, 1)]
    assert raw_rows(url, "SELECT step_id, done, offset_ms FROM step_event") == [
        ("greet", 1, 3250)]


def test_a_write_that_does_not_fit_is_set_aside_naming_its_field(tmp_path, caplog):
    """A record that is not what its operation takes (a number where a time is due, a word
    where a number is) is kept for a person to look at, with the field named; a line cut off
    by a crash is skipped, as before; the writes around them are applied."""
    start, _, _, note, *_ = lines(JOURNAL)
    wrong = json.loads(note) | {"id": "wrong", "note_uid": "n9", "offset_ms": "12秒",
                                "created_at": 1764844200}
    kept = tmp_path / "data" / journal.JOURNAL_FILE
    kept.parent.mkdir()
    kept.write_text("\n".join([start, json.dumps(wrong, ensure_ascii=False), note[:40], note])
                    + "\n", encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'data' / 'callhelper.db'}")
    with store.unit_of_work() as session:
        assert journal.replay_kept(session, [kept], RULES) == 2
    store.close()
    (failed,) = journal.load(kept.with_name(journal.FAILED_FILE))
    reason = failed.pop(journal.REFUSED)
    assert failed == wrong, "kept as it was written"
    assert reason == ("UnknownOperation: add_note: offset_ms: Input should be a valid "
                      "integer; created_at: Input should be a valid datetime")
    assert "12秒" not in caplog.text, "the log names the field, not what was typed"
    assert "unreadable line skipped" in caplog.text


def test_a_record_names_what_is_missing_or_unknown():
    with pytest.raises(UnknownOperation, match=r"^set_hold: hold_seconds: Field required; "
                                               r"surprise: Unexpected keyword argument$"):
        Operation.from_record({"op": "set_hold", "id": "x", "contact_uid": "c1",
                               "on_hold": True, "talk_seconds": 1.5, "surprise": 1})
    with pytest.raises(UnknownOperation, match=r"^save_wrap_up: wrap_up.status: Input should "
                                               r"be 'open', 'waiting_callback' or 'resolved'"):
        Operation.from_record({"op": "save_wrap_up", "id": "x", "contact_uid": "c1",
                               "actor": "鈴木", "at": T.isoformat(), "wrap_up": {
                                   "subject": "", "urgency": None, "impact": None, "fix": "",
                                   "prevention": "", "status": "closed"}})


def test_an_outbox_of_this_version_reaches_the_server(tmp_path, database_url):
    """The rows an agent's outbox holds at an upgrade are delivered to the team's server (a
    SQLite file, or a real PostgreSQL server); a row that does not fit its operation is
    refused for good with the field named, and the rows after it go on."""
    from callhelper.store.operations import outbox
    from callhelper.store.sync import Shipper

    rows = lines(OUTBOX)
    wrong = json.loads(rows[3]) | {"id": "wrong", "note_uid": "n9", "kind": "shout"}
    local = Store(f"sqlite:///{tmp_path / 'agent' / 'callhelper.db'}")
    server = Store(database_url)
    with local.engine.begin() as connection:
        for row in [*rows[:4], json.dumps(wrong, ensure_ascii=False), *rows[4:]]:
            connection.execute(outbox.insert().values(
                uid=json.loads(row)["id"], operation=row, created_at=T.replace(tzinfo=None),
                problem=""))
    shipper = Shipper(local.url, server.url, RULES)
    try:
        state = shipper.ship()
        assert (state.waiting, state.refused, state.unreachable) == (0, 1, False)
        assert shipper.refused() == [("wrong", "add_note", (
            "UnknownOperation: add_note: kind: Input should be 'quote', 'agent_note', "
            "'fact', 'request' or 'promise'"))]
    finally:
        shipper.close()
        local.close()
    assert raw_rows(server.url, "SELECT uid, text FROM note ORDER BY id") == [
        ("n1", "カード **** **** **** 1111 で払ったのに「届かない」😡"),
        ("n2", "明日の午前中に折り返します"), ("n3", "書き間違い"), ("n4", "SNSに晒すぞ")]
    assert raw_rows(server.url, "SELECT count(*) FROM received_operation") == [(len(rows),)]
    assert raw_rows(server.url, "SELECT subject, prevention_done_by FROM support_case") == [
        ("二重請求 **** **** **** 4242", "高橋")]
    server.close()
