"""The supervisors' board (``callhelper board``, team mode): the agents signed in, every call
in progress and every raised hand, live.

Raised hands come first, longest-waiting first, then the calls, longest first
(store/live.py ``board_order``). The board reads the server's two small live tables again
when the server notifies a change (LISTEN/NOTIFY, app/live_feed.py), and every few seconds
for the list of agents signed in; it never polls the other tables. The times shown run on
from what was read, once a second, without asking the server. When its own connection is
lost the board says so and greys the calls: they are as they were then, not live.

A supervisor answers the selected call's raised hand with one key — 1 「今行きます」,
2 「保留にして待ってください」, 3 「引き継ぎます」 — or types a short answer (T, then Enter).
Enter on a call opens its notes below the list (the board shows no note text otherwise).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QLineEdit, QMainWindow,
                               QPlainTextEdit, QTableView, QVBoxLayout, QWidget)

from callhelper.core.session import format_offset
from callhelper.ui.hand import answer_label, reason_label

if TYPE_CHECKING:
    from callhelper.store.live import Board, BoardCall

#: The board's times run on once a second.
TICK_MS = 1000
HAND_ROW = QColor("#fff3e0")
OVER_LIMIT_ROW = QColor("#ffebee")
ALERT = QColor("#c62828")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class BoardModel(QAbstractTableModel):
    HAND, AGENT, CALLER, TIME, STEP, FLAGS, ESCALATIONS = range(7)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.calls: list[BoardCall] = []
        self.now = _now()
        self._headers = (self.tr("Hand"), self.tr("Agent"), self.tr("Caller"),
                         self.tr("Time"), self.tr("Step"), self.tr("Flags"),
                         self.tr("Escalations"))

    def set_calls(self, calls: list[BoardCall], now: datetime) -> None:
        self.beginResetModel()
        self.calls, self.now = list(calls), now
        self.endResetModel()

    def tick(self, now: datetime) -> None:
        self.now = now
        if self.calls:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.calls) - 1, self.ESCALATIONS))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.calls)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        call, column, now = self.calls[index.row()], index.column(), self.now
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(call, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            if call.over_limit(now):
                return QBrush(OVER_LIMIT_ROW)
            if call.hand is not None and call.hand.answered_at is None:
                return QBrush(HAND_ROW)
        if role == Qt.ItemDataRole.ForegroundRole:
            if (column == self.TIME and call.over_limit(now)) or (
                    column == self.STEP and call.step_overdue(now)) or (
                    column == self.HAND and call.hand is not None
                    and call.hand.answered_at is None):
                return QBrush(ALERT)
        if role == Qt.ItemDataRole.FontRole and column in (self.HAND, self.TIME) and (
                call.over_limit(now) or (call.hand is not None
                                         and call.hand.answered_at is None)):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def text(self, call: BoardCall, column: int) -> str:
        from callhelper.store import live

        now = self.now
        if column == self.HAND:
            hand = call.hand
            if hand is None:
                return ""
            if hand.answered_at is not None:
                return self.tr("Answered: %1").replace("%1", answer_label(hand.answer))
            parts = [self.tr("Hand %1").replace("%1", format_offset(
                hand.waited(now).total_seconds()))]
            if hand.reason:
                parts.append(reason_label(hand.reason))
            if hand.late:
                parts.append(self.tr("late"))
            return " · ".join(parts)
        if column == self.AGENT:
            return call.agent
        if column == self.CALLER:
            return call.caller or self.tr("(not known yet)")
        if column == self.TIME:
            text = format_offset(max(0.0, call.elapsed(now).total_seconds()))
            if call.state == live.ON_HOLD:
                text += " · " + self.tr("on hold")
            elif call.state == live.WRAP_UP:
                text += " · " + self.tr("wrap-up")
            if call.over_limit(now):
                text += " · " + self.tr("past the limit")
            return text
        if column == self.STEP:
            if call.step_overdue(now):
                return self.tr("%1 (overdue)").replace("%1", call.step)
            return call.step
        if column == self.FLAGS:
            parts = []
            if call.confirmed:
                parts.append(self.tr("%1 confirmed").replace("%1", str(call.confirmed)))
            if call.suspected:
                parts.append(self.tr("%1 suspected").replace("%1", str(call.suspected)))
            return " · ".join(parts)
        if column == self.ESCALATIONS:
            return str(call.escalations) if call.escalations else ""
        return ""


class NotSupervisor(str):
    """What the board reads for a login that is not a supervisor's (the login's name)."""


def read_board(connection):
    """The board's snapshot, for a supervisor's login only (checked at every read: a login
    taken out of the supervisors' group sees nothing more)."""
    from callhelper.store.live import board_snapshot
    from callhelper.store.roles import SUPERVISOR, is_member

    if not is_member(connection, SUPERVISOR):
        return NotSupervisor(connection.exec_driver_sql("SELECT session_user").scalar())
    return board_snapshot(connection)


class BoardWindow(QMainWindow):
    """The board of the server at ``url``, for its login ``supervisor`` (the name answers
    are written under; the server checks it)."""

    def __init__(self, url: str, supervisor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from callhelper.store.live import BOARD_APPLICATION
        from callhelper.app.live_feed import LiveFeed

        self.supervisor = supervisor
        self.board: Board | None = None
        self.opened: str = ""  # the call whose notes are shown
        self.refused = False  # the login is not a supervisor's
        self.setObjectName("boardWindow")
        self.setWindowTitle(self.tr("Supervisor board"))
        self.link_label = QLabel(self.tr("Connecting to the server…"))
        self.link_label.setObjectName("boardLink")
        self.agents_label = QLabel()
        self.agents_label.setObjectName("boardAgents")
        self.agents_label.setWordWrap(True)
        self.model = BoardModel(self)
        self.table = QTableView()
        self.table.setObjectName("board")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode
                                                           .ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda _index: self.open_notes())
        self.answer_input = QLineEdit()
        self.answer_input.setObjectName("boardAnswer")
        self.answer_input.setPlaceholderText(self.tr("A short answer to the selected hand… "
                                                     "Enter sends"))
        self.answer_input.returnPressed.connect(self._send_text)
        self.keys_label = QLabel(self.tr("1 I'm coming · 2 Hold and wait · 3 I'll take over · "
                                         "T a short answer · Enter the call's notes"))
        self.keys_label.setStyleSheet("color: #6b6b6b;")
        self.keys_label.setWordWrap(True)
        self.notes_view = QPlainTextEdit()
        self.notes_view.setObjectName("boardNotes")
        self.notes_view.setReadOnly(True)
        self.notes_view.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        for widget in (self.link_label, self.agents_label):
            layout.addWidget(widget)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.keys_label)
        layout.addWidget(self.answer_input)
        layout.addWidget(self.notes_view, 2)
        self.setCentralWidget(central)
        self.resize(900, 560)
        close = QShortcut(QKeySequence("Ctrl+W"), self)
        close.activated.connect(self.close)

        self.feed = LiveFeed(url, BOARD_APPLICATION, read_board,
                             reread_on_keepalive=True, parent=self)
        self.feed.read_done.connect(self.show_board)
        self.feed.link_changed.connect(self._show_link)
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(lambda: self.model.tick(_now()))
        self._ticker.start()
        self.feed.start()

    # ----------------------------------------------------------------- what is shown

    def show_board(self, board: Board | NotSupervisor) -> None:
        """A snapshot read from the server: the selection stays on its call."""
        if isinstance(board, NotSupervisor):
            self.refused = True
            self.feed.stop()
            self.model.set_calls([], _now())
            self.table.setEnabled(False)
            self.link_label.setText(self.tr(
                "Only supervisors see the board: the login %1 is not one.").replace("%1", board))
            self.link_label.setStyleSheet("color: #c62828; font-weight: bold;")
            return
        selected = self.selected()
        self.board = board
        self.model.set_calls(list(board.calls), _now())
        if selected is not None:
            row = next((i for i, call in enumerate(board.calls)
                        if call.contact_uid == selected.contact_uid), None)
            if row is not None:
                self.table.selectRow(row)
        elif board.calls:
            self.table.selectRow(0)
        waiting = sum(call.hand is not None and call.hand.answered_at is None
                      for call in board.calls)
        self.agents_label.setText(
            self.tr("Signed in: %1 — %2 · calls: %3 · hands waiting: %4")
            .replace("%1", str(len(board.agents)))
            .replace("%2", ", ".join(board.agents) or "-")
            .replace("%3", str(len(board.calls))).replace("%4", str(waiting)))
        self._show_link(True, "")

    def _show_link(self, connected: bool, problem: str) -> None:
        if self.refused:
            return
        self.table.setEnabled(connected)
        if connected:
            self.link_label.setText(self.tr("Live · updated %1").replace(
                "%1", datetime.now().strftime("%H:%M:%S")))
            self.link_label.setStyleSheet("color: #2e7d32;")
            self.link_label.setToolTip("")
        else:
            self.link_label.setText(self.tr(
                "Connection to the server lost at %1: the calls below are as they were then, "
                "not live. Reconnecting…").replace("%1", datetime.now().strftime("%H:%M:%S")))
            self.link_label.setStyleSheet("color: #c62828; font-weight: bold;")
            self.link_label.setToolTip(problem)

    def selected(self) -> BoardCall | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.model.calls):
            return None
        return self.model.calls[rows[0].row()]

    def _say(self, text: str, problem: bool = False) -> None:
        self.statusBar().setStyleSheet("color: #c62828;" if problem else "")
        self.statusBar().showMessage(text)

    # ----------------------------------------------------------------- keys

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            from callhelper.store.live import COMING, HOLD_ON, TAKING_OVER

            key = event.key()
            answers = {Qt.Key.Key_1: COMING, Qt.Key.Key_2: HOLD_ON, Qt.Key.Key_3: TAKING_OVER}
            if key in answers and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
                self.answer(answers[key])
                return True
            if key == Qt.Key.Key_T and not event.modifiers():
                self.answer_input.setFocus()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_notes()
                return True
        return super().eventFilter(watched, event)

    # ----------------------------------------------------------------- answering

    def answer(self, answer: str) -> bool:
        """Answer the selected call's raised hand; False (and said why) when there is none."""
        call = self.selected()
        if call is None or call.hand is None:
            self._say(self.tr("No raised hand on the selected call."), True)
            return False
        if call.hand.answered_at is not None:
            self._say(self.tr("That hand is answered already."), True)
            return False
        from callhelper.store import live

        hand_uid, agent, supervisor = call.hand.uid, call.agent, self.supervisor
        self.feed.submit(lambda connection: live.answer_hand(connection, hand_uid, answer,
                                                            supervisor),
                         lambda result, error: self._answered(agent, answer, error))
        return True

    def _send_text(self) -> None:
        text = self.answer_input.text().strip()
        if text and self.answer(text):
            self.answer_input.clear()
            self.table.setFocus()

    def _answered(self, agent: str, answer: str, error: BaseException | None) -> None:
        from callhelper.store.live import AnswerRefused

        if error is None:
            self._say(self.tr("Answered %1: %2").replace("%1", agent).replace(
                "%2", answer_label(answer)))
        elif isinstance(error, AnswerRefused):
            self._say(self.tr("Not answered: the hand was lowered or answered meanwhile."),
                      True)
        else:
            self._say(self.tr("Not answered: the server cannot be reached (%1).").replace(
                "%1", str(error).splitlines()[0] if str(error) else type(error).__name__),
                True)

    # ----------------------------------------------------------------- a call's notes

    def open_notes(self) -> None:
        """The selected call's notes below the list; the opening is recorded in the audit
        trail (store/live.py ``open_call``)."""
        call = self.selected()
        if call is None:
            return
        from callhelper.store import live

        uid, supervisor = call.contact_uid, self.supervisor
        self.feed.submit(lambda connection: live.open_call(connection, uid, supervisor),
                         lambda notes, error: self._show_notes(call, notes, error))

    def _show_notes(self, call: BoardCall, notes, error: BaseException | None) -> None:
        if error is not None:
            self._say(self.tr("The call's notes could not be read: %1").replace(
                "%1", str(error).splitlines()[0] if str(error) else type(error).__name__),
                True)
            return
        self.opened = call.contact_uid
        lines = [f"{format_offset(offset_ms / 1000)}  {text}" for offset_ms, _kind, text
                 in notes]
        title = self.tr("Notes of %1's call with %2").replace("%1", call.agent).replace(
            "%2", call.caller or self.tr("(not known yet)"))
        self.notes_view.setPlainText("\n".join([title, *lines]) if lines else
                                     title + "\n" + self.tr("(no notes yet)"))
        self.notes_view.show()

    def closeEvent(self, event) -> None:
        self._ticker.stop()
        self.feed.stop()
        super().closeEvent(event)
