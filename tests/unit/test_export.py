"""CSV and .xlsx export: what Excel needs, formulas neutralised, typed cells, nothing
half-written, and the rows a supervisor reads."""

import csv
import io
import re
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callhelper.config import resources_dir
from callhelper.core.case import NoteKind
from callhelper.core.export import (NEUTRALIZER, XLSX_MAX_CHARS, TooManyRows, check_sheet_rows,
                                    fitting_text, neutralize, write_csv, write_xlsx)
from callhelper.core.flags import load_rules
from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.export import (NOTE_HEADER, ExportFilter, Labels, case_rows, count_notes,
                                     note_rows)
from export_data import CUSTOMER, DUE, FORMULA_LIKE, STARTED, SUBJECT, add_supervisor_calls, local

RULES = load_rules(resources_dir() / "rules" / "demands.toml")


def read_back(path):
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


@pytest.mark.parametrize("cell, written", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+81312345678", "'+81312345678"), ("-1", "'-1"),
    ("@name", "'@name"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("普通の言葉", "普通の言葉"),
    ("a=b", "a=b"), ("", ""), (None, ""), (12, "12"),
    ("\x00=1+1", "'\x00=1+1"), (" =1+1", "' =1+1"), ("\u3000+1", "'\u3000+1"),
    ("\x00 \x01@x", "'\x00 \x01@x"), ("返金;=1+1", "返金;=1+1"),
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


def test_fields_with_a_tab_a_semicolon_or_a_space_are_quoted(tmp_path):
    """An import that splits at tabs, semicolons or spaces still sees one field."""
    path = tmp_path / "out.csv"
    write_csv(path, ("a", "b", "c"), [("返金\t=1+1", "返金;=1+1", " 返金")])
    raw = path.read_bytes().decode("utf-8-sig")
    assert raw.splitlines()[1] == '"返金\t=1+1","返金;=1+1"," 返金"'


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
    """What the file must hold: every cell neutralised on its own, then written by csv,
    every field quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for row in [header, *rows]:
        writer.writerow([neutralize(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_each_cell_is_written_as_neutralised_whatever_its_type_and_place(tmp_path):
    rows = [(n, f"言葉{n}", None, 1.5, "") for n in range(2500)]
    rows[1200] = (-3, "=1+1", None, -0.5, "\x00=")
    rows[2400] = (7, "a\x00=b", "+81", 2.0, "x")
    rows[2450] = (8, " =1+1", "\u3000@x", "\x01-2", "a;=b\tc")
    rows.append(("ragged", "-"))
    path = tmp_path / "out.csv"
    assert write_csv(path, ("n", "text", "none", "float", "last"), rows) == 2501
    assert path.read_bytes() == reference_csv(("n", "text", "none", "float", "last"), rows)


def test_times_whole_numbers_and_empty_cells_are_written_as_they_are(tmp_path):
    """Columns of times, of whole numbers and of empty cells are not looked at cell by cell,
    yet a negative number is still neutralised like any text starting with a minus."""
    moment = datetime(2026, 12, 5, 9, 30)
    rows = [(moment, n, "", None, "\x00\x00言葉") for n in range(1500)]
    rows[700] = (None, -4, "", None, "\x00\x00=1")
    path = tmp_path / "out.csv"
    header = ("time", "n", "empty", "none", "nul")
    write_csv(path, header, rows)
    assert path.read_bytes() == reference_csv(header, rows)
    back = read_back(path)
    assert back[1][:4] == ["2026-12-05 09:30:00", "0", "", ""]
    assert back[701][:2] == ["", "'-4"] and back[701][4] == "'\x00\x00=1"


@pytest.mark.parametrize("suspect", [" =1", "\u3000+1", "\u00a0@x", "\x1f-1", "\x7f=1",
                                     "\x00 \x00=1", "\r=1", "\t", "\u2003=1", "\n=1"])
def test_one_formula_among_plain_cells_is_found_whatever_hides_it(tmp_path, suspect):
    rows = [(f"言葉{n}", "") for n in range(999)] + [(suspect, "")]
    path = tmp_path / "out.csv"
    write_csv(path, ("text", "empty"), rows)
    assert read_back(path)[-1][0] == NEUTRALIZER + suspect


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.text(), st.none()), st.one_of(st.integers(), st.none()),
                          st.one_of(st.datetimes(), st.none()), st.text()),
                min_size=1, max_size=40))
def test_any_rows_are_written_as_each_cell_neutralised_on_its_own(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("csv") / "out.csv"
    header = ("a", "b", "c", "d")
    write_csv(path, header, rows)
    assert path.read_bytes() == reference_csv(header, rows)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=4))
def test_any_text_survives_export_and_parse(tmp_path_factory, cells):
    path = tmp_path_factory.mktemp("csv") / "out.csv"
    write_csv(path, ["h"] * len(cells), [cells])
    (back,) = read_back(path)[1:]
    for original, parsed in zip(cells, back):
        if re.match("[\\s\x00-\x1f\x7f\u00a0\u3000]*[=+\\-@\t\r]", original):
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
    assert everything[0][4:8] == (61, "quote", "=土下座しろ", "kneeling_apology")
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


def notes_by_text(database_url, labels=Labels()):
    store = Store(database_url)
    try:
        with store.unit_of_work() as session:
            return {row[6]: dict(zip(NOTE_HEADER, row))
                    for row in note_rows(session, ExportFilter(), labels)}
    finally:
        store.close()


def test_a_supervisor_sees_the_known_customer_the_number_the_subject_and_the_due_time(
        database_url):
    add_supervisor_calls(database_url)
    notes = notes_by_text(database_url)

    kneel, promise = notes["土下座しろ"], notes["明日15時半に折り返す"]
    assert (kneel["customer"], kneel["phone"], kneel["subject"]) == (
        CUSTOMER, "090-1234-5678", SUBJECT)
    assert (kneel["offset_seconds"], kneel["contact_start"], kneel["due"]) == (
        89, local(STARTED), None)
    assert (promise["kind"], promise["due"]) == ("promise", local(DUE))
    # the caller gave no name the second time: the customer record's name
    for words in FORMULA_LIKE:
        assert (notes[words]["customer"], notes[words]["phone"], notes[words]["subject"]) == (
            CUSTOMER, "090-1234-5678", "")
    assert (notes["09012345678"]["customer"], notes["09012345678"]["phone"]) == (
        "佐藤 花子", "03-1234-5678")


def test_labels_show_kinds_categories_and_flag_states_in_words(database_url):
    add_supervisor_calls(database_url)
    labels = Labels(columns={"text": "内容"}, kinds={"quote": "お客様の発言"},
                    categories={"kneeling_apology": RULES.label("kneeling_apology", "ja")},
                    states={"suspected": "疑い"}, separator=" / ")

    kneel = notes_by_text(database_url, labels)["土下座しろ"]

    assert labels.header(("case", "text")) == ("case", "内容")
    assert (kneel["kind"], kneel["flags"], kneel["flag_states"]) == (
        "お客様の発言", "土下座を求める発言", "土下座を求める発言: 疑い")
    assert notes_by_text(database_url)["土下座しろ"]["flag_states"] == "kneeling_apology:suspected"


def sheet_xml(path):
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_an_xlsx_has_typed_cells_a_frozen_header_and_a_filter(tmp_path):
    path = tmp_path / "out.xlsx"
    rows = [(7, "09012345678", datetime(2026, 11, 20, 10, 0, 5), "=1+1", None, 1.5)] * 3

    assert write_xlsx(path, ("case", "phone", "start", "words", "none", "x"), rows) == 3

    sheet = sheet_xml(path)
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in sheet
    assert '<autoFilter ref="A1:F4"/>' in sheet
    assert re.search(r'<c r="A2"( s="\d+")?><v>7</v></c>', sheet)
    assert '<c r="B2" t="inlineStr"><is><t>09012345678</t></is></c>' in sheet
    assert '<c r="D2" t="inlineStr"><is><t>=1+1</t></is></c>' in sheet
    assert "<f>" not in sheet and 'r="E2"' not in sheet
    assert re.search(r'<c r="C2" s="\d+"><v>46346\.41672\d*</v></c>', sheet)
    widths = {column: float(width) for low, high, width in re.findall(
        r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', sheet)
        for column in range(int(low), int(high) + 1)}
    assert int(widths[1]) == 6 and int(widths[2]) == len("09012345678") + 2


def test_a_cancelled_xlsx_export_keeps_the_previous_file(tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_text("the previous export", encoding="utf-8")

    class Cancelled(Exception):
        pass

    def progress(count):
        raise Cancelled

    with pytest.raises(Cancelled):
        write_xlsx(path, ("a",), ([n] for n in range(10)), progress, every=3)
    assert path.read_text(encoding="utf-8") == "the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_a_note_longer_than_an_excel_cell_is_cut_visibly():
    words = "土" * 40_000 + "😀"
    cut = fitting_text(words)
    assert len(cut.encode("utf-16-le")) // 2 <= XLSX_MAX_CHARS
    assert cut.startswith("土" * 30_000) and cut.endswith(f"… (+{40_001 - 32_727:,})")
    assert fitting_text("😀" * 20_000).endswith(f"… (+{20_000 - 16_363:,})")
    assert fitting_text("短い") == "短い"


def test_more_rows_than_a_sheet_holds_are_refused():
    check_sheet_rows(1_048_575)
    with pytest.raises(TooManyRows, match="at most 1,048,575"):
        check_sheet_rows(1_048_576)


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York", "Australia/Lord_Howe",
                                  "Asia/Kathmandu"])
def test_local_times_are_right_through_clock_changes(monkeypatch, zone):
    """The export finds the local offset once per hour; each minute of a year, clock changes
    of an hour and of half an hour among them, comes out as a time-by-time conversion does."""
    import time as clock

    from callhelper.store.export import _local, _LocalTimes

    monkeypatch.setenv("TZ", zone)
    clock.tzset()
    try:
        times = _LocalTimes()
        moment = datetime(2026, 1, 1)
        while moment < datetime(2027, 1, 1):
            stored = f"{moment:%Y-%m-%d %H:%M:%S}.{moment.minute * 1000:06d}"
            assert times(stored) == _local(stored), stored
            moment += timedelta(minutes=7)
        assert times(None) is None
        for odd in ("2026-01-01 00:00:00+00:00", "2026-01-01T00:00:00+09:00",
                    "2026-06-30 23:59:59.999999-05:00", "2026-03-08T07:30:00Z",
                    "0001-01-01 04:59:00", "1969-12-31 23:59:59", "9999-12-31 12:00:00"):
            try:
                expected = _local(odd)
            except (ValueError, OverflowError) as error:
                with pytest.raises(type(error)):
                    times(odd)
            else:
                assert times(odd) == expected and times(odd).tzinfo is None, odd
        assert times(datetime(2026, 3, 8, 7, 30)) == _local(datetime(2026, 3, 8, 7, 30))
    finally:
        monkeypatch.undo()
        clock.tzset()
