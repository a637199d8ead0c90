"""The banner at the top of the call window when the database could not be used as it was:
what happened, where the damaged file is, and — when a backup exists — one click to
restore it (or to start with an empty database)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from callhelper.store.backup import Backup
from callhelper.store.startup import Opened, Trouble


def _when(backup: Backup) -> str:
    return f"{backup.made_at.astimezone():%Y-%m-%d %H:%M}"


class RecoveryBanner(QFrame):
    """Hidden until there is something to tell. ``chosen`` carries the backup to restore,
    or None for an empty database."""

    chosen = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#recoveryBanner { background: #fff4e5; border: 1px solid #ef6c00; }")
        self.message = QLabel()
        self.message.setObjectName("recoveryMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restore_button = QPushButton()
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.clicked.connect(lambda: self._choose(self._backup))
        self.empty_button = QPushButton(self.tr("Start with an empty database"))
        self.empty_button.setObjectName("startEmpty")
        self.empty_button.clicked.connect(lambda: self._choose(None))
        self.dismiss_button = QPushButton(self.tr("OK"))
        self.dismiss_button.clicked.connect(self.hide)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.restore_button, self.empty_button, self.dismiss_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._backup: Backup | None = None
        self.hide()

    def ask(self, trouble: Trouble) -> None:
        """The database was set aside or is missing, and ``trouble.backup`` could replace it."""
        self._backup = trouble.backup
        when = _when(trouble.backup)
        if trouble.set_aside is not None:
            text = self.tr("The database file was damaged, so CallHelper did not use it. It was "
                           "moved, unchanged, to:\n%1\nNothing else is lost: what the file held "
                           "is still in it. Restore the latest backup (%2) to continue with "
                           "your cases, or start with an empty database.").replace(
                "%1", str(trouble.set_aside.path))
        else:
            text = self.tr("The database file %1 is missing. Restore the latest backup (%2) to "
                           "continue with your cases, or start with an empty database.").replace(
                "%1", str(trouble.database))
        self.message.setText(text.replace("%2", when))
        self.restore_button.setText(self.tr("Restore the backup of %1").replace("%1", when))
        self._show_buttons(choice=True)

    def show_opened(self, opened: Opened) -> None:
        """After the database opened: what was done about the trouble, if there was any."""
        trouble, restored = opened.trouble, opened.restored
        if trouble is None:
            self.hide()
            return
        damaged = str(trouble.set_aside.path) if trouble.set_aside is not None else None
        if restored is not None and damaged is not None:
            text = self.tr("The backup of %1 was restored. What was saved after it is only in "
                           "the damaged file: %2").replace("%1", _when(restored)).replace(
                "%2", damaged)
        elif restored is not None:
            text = self.tr("The backup of %1 was restored.").replace("%1", _when(restored))
        elif damaged is not None and trouble.backup is None:
            text = self.tr("The database file was damaged, so CallHelper did not use it. It was "
                           "moved, unchanged, to:\n%1\nWhat it held is still in it. There is no "
                           "backup yet, so CallHelper continues with a new, empty database."
                           ).replace("%1", damaged)
        else:
            text = self.tr("CallHelper continues with a new, empty database. The backups are "
                           "still in %1.").replace("%1", str(trouble.backup.path.parent))
        self.message.setText(text)
        self._show_buttons(choice=False)

    def warn(self, text: str) -> None:
        """Something the agent must know until they dismiss it."""
        self.message.setText(text)
        self._show_buttons(choice=False)

    def allow_choice_again(self) -> None:
        """A choice that failed (the restore could not be done) may be made again."""
        if self._backup is not None and self.isVisible():
            self._show_buttons(choice=True)

    def _choose(self, backup: Backup | None) -> None:
        self.restore_button.setEnabled(False)
        self.empty_button.setEnabled(False)
        self.chosen.emit(backup)

    def _show_buttons(self, choice: bool) -> None:
        for button in (self.restore_button, self.empty_button):
            button.setVisible(choice)
            button.setEnabled(choice)
        self.dismiss_button.setVisible(not choice)
        self.show()
