"""The agent's decisions on demand flags in the call window (core/flag_review.py).

A flag from the detector is a suspicion. During the call, without leaving the entry line:

- Ctrl+Shift+Y confirms the newest suspected flag, Ctrl+Shift+N dismisses it;
- Ctrl+Shift+F flags a statement by hand (the note selected in the list, or else the newest
  of the customer's words): a short list of the flag categories pops up beside it, ↑/↓ and
  Enter pick one, Esc closes it.

A right click on a note offers the same. Each decision is a write like a note's
(store/operations.py ``review_flag``): shown once it is on disk, audited, and shipped to the
team's server in team mode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu, QWidget

from callhelper.core.clock import Clock
from callhelper.core.flag_review import FlagState
from callhelper.core.session import new_uid
from callhelper.ui.models import NoteRow, NotesModel
from callhelper.ui.notes_view import NotesView
from callhelper.app.write_queue import operation

if TYPE_CHECKING:
    from callhelper.core.flags import DemandRules
    from callhelper.store.operations import Operation

CONFIRM_KEYS = "Ctrl+Shift+Y"
DISMISS_KEYS = "Ctrl+Shift+N"
FLAG_KEYS = "Ctrl+Shift+F"


class FlagReview(QObject):
    """Binds the keys and the notes' context menu of ``window``; ``changed`` fires when a
    decision is on disk and shown (the escalation hint reads the flags again),
    ``menu_closed`` when a popup list closes (the entry line takes the focus back)."""

    changed = Signal()
    menu_closed = Signal()

    def __init__(self, window: QWidget, notes: NotesModel, view: NotesView, rules: DemandRules,
                 language: str, clock: Clock, agent: Callable[[], str],
                 call_uid: Callable[[], str | None],
                 write: Callable[[Operation, Callable[[object], None]], None],
                 report: Callable[..., None]) -> None:
        super().__init__(window)
        self._window = window
        self._notes = notes
        self._view = view
        self._rules = rules
        self._language = language
        self._clock = clock
        self._agent = agent
        self._call_uid = call_uid
        self._write = write
        self._report = report
        self.menu: QMenu | None = None
        for keys, action in ((CONFIRM_KEYS, lambda: self.decide_newest(FlagState.CONFIRMED)),
                             (DISMISS_KEYS, lambda: self.decide_newest(FlagState.DISMISSED)),
                             (FLAG_KEYS, self.choose_category)):
            # a direct child of the window: ShortcutsBeforeEditingKeys lets it fire while
            # the entry line has the focus
            shortcut = QShortcut(QKeySequence(keys), window)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._context_menu)

    def label(self, category: str) -> str:
        return self._rules.label(category, self._language)

    def decide_newest(self, state: FlagState) -> None:
        """Confirm or dismiss the newest flag nobody has reviewed."""
        if self._call_uid() is None:
            return
        found = self._notes.newest_suspected()
        if found is None:
            self._report(self.tr("No suspected flag left to review"))
            return
        row, category = found
        self.decide(row, category, state)

    def choose_category(self) -> None:
        """Flag a statement by hand: the selected note, or the newest of the customer's
        words; the categories pop up beside it."""
        if self._call_uid() is None:
            return
        row = self._selected() or self._notes.newest_customer_words()
        if row is None:
            self._report(self.tr("No statement to flag yet"), problem=True)
            return
        position = self._notes.rows().index(row)
        rect = self._view.visualRect(self._notes.index(position))
        self._popup(self._category_menu(row), self._view.viewport().mapToGlobal(
            rect.bottomLeft() if rect.isValid() else QPoint(0, 0)))

    def decide(self, row: NoteRow, category: str, state: FlagState) -> None:
        """Record a decision on ``row``'s flag of ``category``."""
        contact_uid = self._call_uid()
        if contact_uid is None:
            return
        review = operation("review_flag", review_uid=new_uid(), note_uid=row.uid,
                           category=category, state=state, actor=self._agent(),
                           at=self._clock.now())
        self._write(review, lambda review: self._on_decided(contact_uid, review))

    def _on_decided(self, contact_uid: str, review) -> None:
        if review is None or self._call_uid() != contact_uid:
            return
        from callhelper.store.flag_reviews import decision

        decided = decision(review)
        self._notes.decide(review.note_uid, decided)
        message = {
            FlagState.CONFIRMED: self.tr("✓ Confirmed: %1"),
            FlagState.DISMISSED: self.tr("✓ Dismissed: %1"),
            FlagState.MANUAL: self.tr("✓ Flagged: %1"),
        }[decided.state]
        self._report(message.replace("%1", self.label(decided.category)))
        self.changed.emit()

    def _selected(self) -> NoteRow | None:
        rows = self._view.selectionModel().selectedRows()
        return self._notes.rows()[rows[0].row()] if rows else None

    def _category_menu(self, row: NoteRow, parent: QWidget | None = None) -> QMenu:
        """Every flag category; the ones the note has already are marked and not offered."""
        menu = QMenu(self.tr("Flag as…"), parent or self._window)
        from callhelper.core.flags import FLAG  # not before the window shows

        menu.setObjectName("flagCategories")
        flagged = set(row.flags)
        for category in self._rules.categories:
            if category.kind != FLAG:
                continue
            action = menu.addAction(self.label(category.id))
            action.setData(category.id)
            action.setEnabled(category.id not in flagged)
            action.triggered.connect(
                lambda _checked=False, chosen=category.id:
                self.decide(row, chosen, FlagState.MANUAL))
        return menu

    def _context_menu(self, point: QPoint) -> None:
        """A right click on a note: confirm or dismiss each of its suspected flags, or flag
        it by hand."""
        index = self._view.indexAt(point)
        if self._call_uid() is None or not index.isValid():
            return
        row = self._notes.rows()[index.row()]
        menu = QMenu(self._window)
        menu.setObjectName("noteFlagMenu")
        for category in row.suspected():
            for state, text in ((FlagState.CONFIRMED, self.tr("Confirm: %1 (%2)")),
                                (FlagState.DISMISSED, self.tr("Dismiss: %1 (%2)"))):
                keys = CONFIRM_KEYS if state is FlagState.CONFIRMED else DISMISS_KEYS
                action = menu.addAction(text.replace("%1", self.label(category))
                                        .replace("%2", keys))
                action.triggered.connect(
                    lambda _checked=False, chosen=category, decided=state:
                    self.decide(row, chosen, decided))
        menu.addMenu(self._category_menu(row, menu))
        self._popup(menu, self._view.viewport().mapToGlobal(point))

    def _popup(self, menu: QMenu, where: QPoint) -> None:
        """Show ``menu`` without waiting for it: the call goes on (the window never blocks
        during a call); closing it gives the focus back to the entry line."""
        if self.menu is not None:
            self.menu.close()
        self.menu = menu
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.aboutToHide.connect(self._closed)
        menu.popup(where)
        first = next((action for action in menu.actions() if action.isEnabled()), None)
        if first is not None:
            menu.setActiveAction(first)

    def _closed(self) -> None:
        self.menu = None
        # once the popup is gone: while it closes, it still holds the keyboard
        QTimer.singleShot(0, self, self.menu_closed.emit)
