"""A long call: the agent's 1,000th note is saved and shown with the same work as the first
of a call. Measured as work, not time: the notes the window reads to show a new one, and
what SQLite executes to store it."""

import uuid

from PySide6.QtCore import QPoint, Qt
from sqlalchemy import event

from callhelper.core.case import NoteKind
from callhelper.store import repository
from callhelper.store.engine import Store
from callhelper.store.repository import NewContact
from callhelper.app.bootstrap import demand_rules
from callhelper.ui.models import NotesModel
from keyboard import type_text

LONG_CALL = 1000
WORDS = "返金してほしい、もう何回目の電話だと思ってるんだ。土下座しろ"


def call_left_open(paths, clock, agent, notes):
    """A call of ``agent`` with ``notes`` notes, still under way (the window resumes it)."""
    store = Store(paths.database_url)
    uid, rules = uuid.uuid4().hex, demand_rules()
    with store.unit_of_work() as session:
        repository.start_contact(session, NewContact(uid, agent, "complaint", 2, clock.now(),
                                                     "03-1234-5678"))
        for number in range(notes):
            repository.add_note(session, uid, uuid.uuid4().hex, NoteKind.QUOTE, WORDS,
                                number * 1000, agent, clock.now(), rules)
    store.close()


class RowsRead:
    """The rows of the notes list whose contents the window asks for."""

    def __init__(self, monkeypatch):
        self.rows: set[int] = set()
        data = NotesModel.data

        def reading(model, index, role=Qt.ItemDataRole.DisplayRole):
            self.rows.add(index.row())
            return data(model, index, role)

        monkeypatch.setattr(NotesModel, "data", reading)


class SqliteWork:
    """What SQLite executes on the window's own connections: virtual machine instructions,
    counted by its progress handler."""

    def __init__(self, qtbot, window):
        self.instructions = 0

        def count() -> int:
            self.instructions += 1
            return 0

        def watch(dbapi_connection, *_record):
            dbapi_connection.set_progress_handler(count, 1)

        def install(session):
            event.listen(session.get_bind(), "checkout", watch)
            watch(session.connection().connection.dbapi_connection)

        with qtbot.waitCallback() as done:
            window._store.submit(install, done)


def on_screen(view):
    """The rows the notes list shows."""
    height = view.viewport().height()
    top, bottom = (view.indexAt(QPoint(1, y)).row() for y in (0, height - 1))
    return set(range(max(top, 0), bottom + 1 if bottom >= 0 else view.model().rowCount()))


def save_notes(qtbot, window, rows_read, work, count):
    """Type ``count`` notes; for each, the SQLite instructions it took and the rows read to
    show it that are neither the new note nor on screen (before it came or after)."""
    view, model = window.notes_view, window.notes_model
    per_note = []
    for _ in range(count):
        shown = on_screen(view)
        rows_read.rows.clear()
        work.instructions = 0
        before = model.rowCount()
        type_text(window.note_entry, WORDS)
        qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: model.rowCount() == before + 1)
        view.grab()  # painted, as on screen
        per_note.append((work.instructions, rows_read.rows - shown - on_screen(view)))
    return per_note


def test_the_thousandth_note_of_a_call_takes_the_work_of_the_first(
        qtbot, open_window, paths, settings, clock, monkeypatch):
    call_left_open(paths, clock, settings.agent_name, LONG_CALL)
    rows_read = RowsRead(monkeypatch)
    window = open_window()
    assert window.notes_model.rowCount() == LONG_CALL
    work = SqliteWork(qtbot, window)

    late = save_notes(qtbot, window, rows_read, work, 5)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    window.wrap_up.subject.setText("長い通話")
    qtbot.keyClick(window.wrap_up.subject, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.session is None)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    early = save_notes(qtbot, window, rows_read, work, 5)

    assert [off_screen for _, off_screen in late] == [set()] * 5, \
        "showing a note read notes that are not on screen"
    assert [off_screen for _, off_screen in early] == [set()] * 5
    # the search index merges its segments now and then: the least of a few notes compares
    assert min(steps for steps, _ in late) == min(steps for steps, _ in early)
    assert window.notes_view.visualRect(window.notes_model.index(4)).intersects(
        window.notes_view.viewport().rect()), "the newest note is on screen"
