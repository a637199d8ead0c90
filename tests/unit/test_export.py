"""CSV export: what Excel needs, formulas neutralised, nothing half-written."""

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callhelper.config import resources_dir
from callhelper.core.case import NoteKind
from callhelper.core.export import NEUTRALIZER, neutralize, write_csv
from callhelper.core.flags import load_rules
from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.export import (NOTE_HEADER, ExportFilter, case_rows, count_notes,
                                     note_rows)

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


def read_back(path):
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


@pytest.mark.parametrize("cell, written", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+81312345678", "'+81312345678"), ("-1", "'-1"),
    ("@name", "'@name"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("普通の言葉", "普通の言葉"),
    ("a=b", "a=b"), ("", ""), (None, ""), (12, "12"),
])
def test_cells_a_spreadsheet_would_run_are_neutralised(cell, written):
    assert neutralize(cell) == written


def test_bom_crlf_and_quoting_survive_a_round_trip(tmp_path):
    path = tmp_path / "out.csv"
    rows = [("改行\nあり", '引用符"あり', "カンマ,あり"), ("=1+1", "😀", "")]
    assert write_csv(path, ("a", "b", "c"), rows) == 2
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == 3
    assert read_back(path) == [["a", "b", "c"], ["改行\nあり", '引用符"あり', "カンマ,あり"],
                               ["'=1+1", "😀", ""]]


def test_a_failed_export_leaves_no_half_file(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("the previous export", encoding="utf-8")

    def rows():
        yield ("one",)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_csv(path, ("a",), rows())
    assert path.read_text(encoding="utf-8") == "the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_progress_report_can_stop_the_export_and_keep_the_previous_file(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("the previous export", encoding="utf-8")
    reports = []

    class Cancelled(Exception):
        pass

    def progress(count):
        reports.append(count)
        if count == 6:
            raise Cancelled

    with pytest.raises(Cancelled):
        write_csv(path, ("a",), ([n] for n in range(10)), progress, every=3)
    assert reports == [3, 6]
    assert path.read_text(encoding="utf-8") == "the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert write_csv(path, ("a",), ([n] for n in range(7)), reports.append, every=3) == 7
    assert reports[2:] == [3, 6, 7]


def reference_csv(header, rows):
    """What the file must hold: every cell neutralised on its own, then written by csv."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow([neutralize(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_each_cell_is_written_as_neutralised_whatever_its_type_and_place(tmp_path):
    rows = [(n, f"言葉{n}", None, 1.5, "") for n in range(2500)]
    rows[1200] = (-3, "=1+1", None, -0.5, "\x00=")
    rows[2400] = (7, "a\x00=b", "+81", 2.0, "x")
    rows.append(("ragged", "-"))
    path = tmp_path / "out.csv"
    assert write_csv(path, ("n", "text", "none", "float", "last"), rows) == 2501
    assert path.read_bytes() == reference_csv(("n", "text", "none", "float", "last"), rows)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=4))
def test_any_text_survives_export_and_parse(tmp_path_factory, cells):
    path = tmp_path_factory.mktemp("csv") / "out.csv"
    write_csv(path, ["h"] * len(cells), [cells])
    (back,) = read_back(path)[1:]
    for original, parsed in zip(cells, back):
        if original.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert parsed == NEUTRALIZER + original
        else:
            assert parsed == original


def test_notes_and_cases_are_exported_with_their_filters(database_url, clock):
    store = Store(database_url)
    with store.unit_of_work() as session:
        for uid, agent in (("a", "鈴木"), ("b", "佐藤")):
            repository.start_contact(session, repository.NewContact(
                uid, agent, "complaint", 2, clock.now(), "03-1234-5678", "山田"))
            repository.add_note(session, uid, f"{uid}1", NoteKind.QUOTE, "=土下座しろ", 61_000,
                                agent, clock.now(), RULES)
            clock.advance(86400)
    with store.unit_of_work() as session:
        everything = list(note_rows(session, ExportFilter()))
        only_sato = list(note_rows(session, ExportFilter(agent="佐藤")))
        later = list(note_rows(session, ExportFilter(since=datetime(2026, 1, 6, tzinfo=timezone.utc))))
        cases = list(case_rows(session, ExportFilter(agent="鈴木")))
    store.close()
    assert len(NOTE_HEADER) == len(everything[0])
    assert [row[9] for row in everything] == ["鈴木", "佐藤"]
    assert everything[0][4:8] == ("01:01", "quote", "=土下座しろ", "kneeling_apology")
    assert [row[9] for row in only_sato] == [row[9] for row in later] == ["佐藤"]
    assert [row[11] for row in cases] == ["鈴木"]
    out = io.StringIO()
    csv.writer(out).writerow(neutralize(cell) for cell in everything[0])
    assert "'=土下座しろ" in out.getvalue()


def test_notes_are_exported_in_the_order_they_were_taken(database_url, clock):
    """Two calls at once (a senior listening in on a second line, say): their notes come in
    the order they were written, not grouped by call."""
    store = Store(database_url)
    with store.unit_of_work() as session:
        for uid in ("first", "second"):
            repository.start_contact(session, repository.NewContact(
                uid, "鈴木", "complaint", 2, clock.now(), "03-1234-5678", "山田"))
            clock.advance(60)
        for uid, words in (("second", "二件目の一言目"), ("first", "一件目の一言目"),
                           ("second", "二件目の二言目")):
            repository.add_note(session, uid, words, NoteKind.FACT, words, 1000, "鈴木",
                                clock.now(), RULES)
    with store.unit_of_work() as session:
        words = [row[6] for row in note_rows(session, ExportFilter())]
    store.close()
    assert words == ["二件目の一言目", "一件目の一言目", "二件目の二言目"]


def test_the_export_dialog_counts_the_notes_it_will_write(database_url, clock):
    store = Store(database_url)
    with store.unit_of_work() as session:
        for uid, agent, notes in (("a", "鈴木", 3), ("b", "佐藤", 2)):
            repository.start_contact(session, repository.NewContact(
                uid, agent, "complaint", 2, clock.now(), "03-1234-5678", "山田"))
            for number in range(notes):
                repository.add_note(session, uid, f"{uid}{number}", NoteKind.FACT, "発送済み",
                                    number, agent, clock.now(), RULES)
            clock.advance(86400)
    filters = (ExportFilter(), ExportFilter(agent="佐藤"),
               ExportFilter(since=clock.now() - timedelta(days=1, hours=1)),
               ExportFilter(until=clock.now() - timedelta(days=1, hours=1), agent="佐藤"))
    with store.unit_of_work() as session:
        counted = [count_notes(session, each) for each in filters]
        written = [len(list(note_rows(session, each))) for each in filters]
    store.close()
    assert counted == written == [5, 2, 2, 0]
