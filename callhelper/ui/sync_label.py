"""The status line's word on the team's server, from the sync runner's state
(app/sync_runner.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

if TYPE_CHECKING:  # the store's modules are loaded by the shipper's thread
    from callhelper.store.sync import SyncState


class SyncLabel(QLabel):
    """The status line's word on the server: synced, how many wait, unreachable, refused."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("syncLabel")
        self.state: SyncState | None = None
        self.hide()

    def show_state(self, state: SyncState) -> None:
        """A few words fit beside the save state on a narrow window; the tooltip says more."""
        self.state = state
        if state.refused:
            text = self.tr("⚠ %1 refused by the server").replace("%1", str(state.refused))
            more = self.tr("The server refused %1 changes. They are kept on this computer and "
                           "tried again at the next start; details are in the log.")
            count, color = state.refused, "#c62828"
        elif state.login_refused:
            text = self.tr("⚠ Server login refused")
            more = self.tr("The server refuses this login: run “callhelper team login” again. "
                           "%1 changes are safe on this computer and will be sent.")
            count, color = state.waiting, "#c62828"
        elif state.unreachable:
            text = self.tr("Server offline: %1 kept here").replace("%1", str(state.waiting))
            more = self.tr("The server cannot be reached. %1 changes are safe on this computer "
                           "and will be sent when it is back.")
            count, color = state.waiting, "#ef6c00"
        elif state.waiting:
            text = self.tr("%1 waiting for the server").replace("%1", str(state.waiting))
            more = self.tr("%1 changes are being sent to the server.")
            count, color = state.waiting, "#8a8a8a"
        else:
            text = self.tr("✓ Synced")
            more = self.tr("Everything is on the server.")
            count, color = 0, "#2e7d32"
        details = more.replace("%1", str(count))
        self.setText(text)
        self.setToolTip(f"{details}\n{state.problem}" if state.problem else details)
        self.setStyleSheet(f"color: {color};")
        self.show()
