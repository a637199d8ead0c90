"""The windows the call window opens: the history (Ctrl+H, or a click on a prior contact),
the supervisor's review (Ctrl+Shift+R), the export (Ctrl+Shift+E) and the settings (Ctrl+,).

Each is imported and made when first opened (a faster start), and kept to be shown again;
the export and the settings open between calls only. ``close_all`` closes them with the call
window.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from callhelper.config import Paths, Settings
from callhelper.core.clock import Clock
from callhelper.core.playbook import PlaybookCatalog
from callhelper.app.write_queue import operation
from callhelper.ui.window_state import state_file

if TYPE_CHECKING:  # imported when first opened
    from callhelper.core.flags import DemandRules
    from callhelper.app.store_client import StoreClient
    from callhelper.ui.export_dialog import ExportDialog
    from callhelper.ui.history_window import HistoryWindow
    from callhelper.ui.review_window import ReviewWindow


class WindowOpener(QObject):
    """Opens the other windows for the call window (``parent``); ``message`` is for its
    status line, ``settings_saved`` fires when the settings dialog is accepted."""

    message = Signal(str, bool)
    settings_saved = Signal()

    def __init__(self, paths: Paths, settings: Settings, catalog: PlaybookCatalog,
                 rules: DemandRules, clock: Clock, language: str, controller,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self._paths = paths
        self._settings = settings
        self._catalog = catalog
        self._rules = rules
        self._clock = clock
        self._language = language
        self._controller = controller
        self.history_window: HistoryWindow | None = None
        self.review_window: ReviewWindow | None = None
        self.export_dialog: ExportDialog | None = None
        self._history_source: StoreClient | None = None

    def open_history(self, case_id: int | None = None) -> HistoryWindow:
        """The history browser, on the case ``case_id`` when given."""
        from callhelper.ui.history_window import HistoryWindow

        # team mode: the team's history while the server answers (the caller's past contacts
        # shown came from it too, with its case numbers), this computer's file otherwise
        controller = self._controller
        source = controller.shared_store() or controller.store
        if self.history_window is not None and self._history_source is not source:
            self.history_window.close()
            self.history_window.deleteLater()
            self.history_window = None
        if self.history_window is None:
            self._history_source = source
            self.history_window = HistoryWindow(source, controller.writes, self._rules,
                                                self._catalog, self._language,
                                                state_file(self._paths), controller.agent,
                                                self._clock)
        if case_id is not None:
            self.history_window.open_case(case_id)
        else:
            self.history_window.show()
            self.history_window.raise_()
            self.history_window.activateWindow()
        return self.history_window

    def open_review(self) -> ReviewWindow:
        """The supervisor's review, of this database to begin with (the team's server in
        team mode; more files can be added there). Read-only, on its own connections."""
        from callhelper.ui.review_window import ReviewWindow

        server = self._paths.server_url
        if self.review_window is None or not self.review_window.isVisible():
            self.review_window = ReviewWindow(
                [] if server else [self._paths.database_file], self._catalog, self._rules,
                self._language, state_file(self._paths), self._clock, server=server,
                mark_prevention_done=self._mark_prevention_done)
        self.review_window.show()
        self.review_window.raise_()
        self.review_window.activateWindow()
        return self.review_window

    def _mark_prevention_done(self, item, done: Callable[[], None]) -> bool:
        """For the review: mark a prevention item of this window's database done (False for
        another database's: the review only reads those)."""
        own = self._paths.database_file
        if item.path is None or own is None or item.path.resolve() != own.resolve():
            return False
        controller = self._controller
        controller.write(operation("complete_prevention", case_uid=item.case_uid,
                                   by=controller.agent, at=self._clock.now()),
                         on_saved=lambda _case: done())
        return True

    def open_export(self) -> ExportDialog | None:
        """The CSV export, opened between calls only. It does not hold up the window: a call
        can start while an export is being written."""
        from callhelper.ui.export_dialog import ExportDialog

        if self._controller.session is not None:
            self.message.emit(self.tr("Export opens between calls."), True)
            return None
        dialog = self.export_dialog
        if dialog is None or not dialog.isVisible():
            if dialog is not None:
                dialog.deleteLater()
            dialog = self.export_dialog = ExportDialog(
                self._paths.database_url, self._controller.agent,
                self._clock.now().astimezone().date(), state_file(self._paths), self._rules,
                self._language, self.parent())
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_settings(self) -> None:
        """Preferences, between calls only: nothing may interrupt typing during a call."""
        from callhelper.ui.settings_dialog import SettingsDialog

        if self._controller.session is not None:
            self.message.emit(self.tr("Settings open between calls."), True)
            return
        dialog = SettingsDialog(self._settings, self.parent())
        if dialog.exec():
            self.settings_saved.emit()

    def close_all(self) -> None:
        """The call window closes: the history and review windows with it, and an export
        being written is stopped."""
        if self.history_window is not None:
            self.history_window.close()
        if self.review_window is not None:
            self.review_window.close()
        if self.export_dialog is not None:
            self.export_dialog.stop()
