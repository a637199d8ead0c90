"""The call window's status line: the last message (saved, a problem, what a key did), the
writes not yet on disk beside it, why the database refuses them while it does, the team
server's word (ui/sync_label.py) and the hint of the keys.

Every part of the window says what happened here, through ``show``; the write queue's
``changed`` keeps the count and the faults current by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QStatusBar

from callhelper.ui.sync_label import SyncLabel

if TYPE_CHECKING:  # the store's modules are loaded by the store's worker
    from callhelper.app.write_queue import WriteQueue
    from callhelper.store.sync import SyncState


class StatusLine(QObject):
    """Puts its labels in ``status_bar`` and keeps them current with ``writes``."""

    def __init__(self, status_bar: QStatusBar, writes: WriteQueue) -> None:
        super().__init__(status_bar)
        self._writes = writes
        self._was_stuck = False
        self._state = ("", False, False)  # the message, whether a problem, whether counted
        self._sync_trouble = False
        self.saved_label = QLabel()
        self.saved_label.setObjectName("saveState")
        status_bar.addWidget(self.saved_label, 1)
        self.sync_label = SyncLabel()  # team mode only: the server's side of saving
        status_bar.addPermanentWidget(self.sync_label)
        self.keys_hint = QLabel(self.tr("Ctrl+digit tick · Ctrl+E handoff"))
        self.keys_hint.setStyleSheet("color: #6b6b6b;")
        status_bar.addPermanentWidget(self.keys_hint)
        status_bar.setSizeGripEnabled(True)
        small = QFont(status_bar.font())
        small.setPointSizeF(small.pointSizeF() * 0.9)
        status_bar.setFont(small)
        writes.changed.connect(self._show_write_state)

    def show(self, message: str, problem: bool = False, counted: bool = False) -> None:
        """``message`` in the status line, with the number of writes not yet on disk beside
        it while there are any (unless ``counted``: the message says it already)."""
        self._state = (message, problem, counted)
        self._show_line()

    def show_sync_state(self, state: SyncState) -> None:
        """The server's side of saving; while something is wrong with it the shortcut hint
        makes room (the window is narrow beside a phone system)."""
        self.sync_label.show_state(state)
        self._sync_trouble = bool(state.unreachable or state.refused or state.login_refused)
        self._show_line()

    def _show_write_state(self) -> None:
        """At every write queued and every one done: how many wait, and while the database
        refuses them, why."""
        fault, waiting = self._writes.fault, self._writes.waiting
        if fault is not None:
            from callhelper.store.engine import WriteFault

            message = {
                WriteFault.LOCKED: self.tr("Not saved yet: another program is using the "
                                           "database. %1 waiting, retried every few seconds."),
                WriteFault.FULL: self.tr("Not saved yet: the disk is full. Free some space; "
                                         "%1 waiting, retried every few seconds."),
                WriteFault.READ_ONLY: self.tr("Not saved yet: the data folder is read-only or "
                                              "cannot be written. %1 waiting, retried every "
                                              "few seconds."),
            }.get(fault, self.tr("Not saved yet: the database is busy or cannot be written. %1 "
                                 "waiting, retried every few seconds."))
            self.show(message.replace("%1", str(waiting)), problem=True, counted=True)
            self._was_stuck = True
        elif self._was_stuck:
            self._was_stuck = bool(waiting)
            self.show(self.tr("Saving…") if waiting else self.tr("✓ Everything is saved"))
        else:
            self._show_line()

    def _show_line(self) -> None:
        message, problem, counted = self._state
        waiting = self._writes.waiting
        if waiting and not counted:
            message = " · ".join(part for part in (
                message, self.tr("%1 waiting").replace("%1", str(waiting))) if part)
        self.saved_label.setText(message)
        self.saved_label.setToolTip(message)  # whole, should a narrow window cut it
        self.saved_label.setStyleSheet("color: #c62828;" if problem else "color: #2e7d32;")
        # a problem, or the server's, takes the room of the keys' hint (the window is narrow)
        self.keys_hint.setVisible(not (problem or self._sync_trouble))
