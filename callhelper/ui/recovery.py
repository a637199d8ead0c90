"""The banner at the top of the call window when the database could not be used as it was:
what happened, where the file set aside is, and — when a backup exists — one click to
restore it (or to start with an empty database). A database path that was refused (it holds
something else) is only told: nothing can be opened until the path is corrected."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # shown only once the store has opened (or could not)
    from callhelper.store.backup import Backup
    from callhelper.store.audit import AnchorsFound
    from callhelper.store.anchor import Finding, Place
    from callhelper.store.startup import Opened, Trouble


def _when(backup: Backup) -> str:
    return f"{backup.made_at.astimezone():%Y-%m-%d %H:%M}"


def _log_of(database: Path) -> str:
    from callhelper.store.integrity import WAL_SUFFIX

    return str(database.with_name(database.name + WAL_SUFFIX))


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
        """The database was set aside or is missing, and ``trouble.backup`` could replace it;
        or its path was refused."""
        if trouble.refused is not None:
            self._refuse(trouble.database)
            return
        self._backup = trouble.backup
        when = _when(trouble.backup)
        if trouble.set_aside is not None and trouble.set_aside.lost_log:
            text = self.tr("The database's write-ahead log (%1) is missing: it was deleted, or "
                           "the file was copied without it. What was saved since CallHelper "
                           "last opened the file was only in that log, so CallHelper did not "
                           "use the file. It was moved, unchanged, to:\n%3\nRestore the latest "
                           "backup (%2) to continue with your cases, or start with an empty "
                           "database.").replace("%1", _log_of(trouble.database)).replace(
                "%3", str(trouble.set_aside.path))
        elif trouble.set_aside is not None:
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
        if trouble is None and opened.anchors is not None:
            self.warn_anchors(opened.anchors)
            return
        if trouble is None:
            self.hide()
            return
        damaged = str(trouble.set_aside.path) if trouble.set_aside is not None else None
        lost_log = trouble.set_aside is not None and trouble.set_aside.lost_log
        if restored is not None and lost_log:
            text = self.tr("The backup of %1 was restored. Of what was saved after it, the "
                           "file set aside (%2) holds what had reached it before its log was "
                           "lost.").replace("%1", _when(restored)).replace("%2", damaged)
        elif restored is not None and damaged is not None:
            text = self.tr("The backup of %1 was restored. What was saved after it is only in "
                           "the damaged file: %2").replace("%1", _when(restored)).replace(
                "%2", damaged)
        elif restored is not None:
            text = self.tr("The backup of %1 was restored.").replace("%1", _when(restored))
        elif lost_log and trouble.backup is None:
            text = self.tr("The database's write-ahead log (%1) is missing, so the file lacks "
                           "what was saved since CallHelper last opened it, and CallHelper did "
                           "not use it. It was moved, unchanged, to:\n%2\nThere is no backup "
                           "yet, so CallHelper continues with a new, empty database.").replace(
                "%1", _log_of(trouble.database)).replace("%2", damaged)
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

    def warn_anchors(self, found: AnchorsFound) -> None:
        """The audit trail no longer held an end recorded outside the file: told until
        dismissed; the app went on, and noted it in the log and the trail."""
        text = self.tr("The audit trail of the database no longer holds its end as it was "
                       "recorded outside the file, so entries were removed or the file was "
                       "replaced or rewritten outside CallHelper:\n%1\nCallHelper noted this "
                       "in its log and in the audit trail, kept the old record, and goes on "
                       "saving. Run \"callhelper verify\" and tell your supervisor.").replace(
            "%1", "\n".join(self._finding(finding) for finding in found.findings))
        if found.kept is not None:
            text += "\n" + self.tr("The anchor the trail no longer holds is kept in %1."
                                   ).replace("%1", str(found.kept))
        self.message.setText(text)
        self._show_buttons(choice=False)

    def _finding(self, finding: Finding) -> str:
        """One finding of the anchors, in the agent's language, with its counts and times."""
        kind, place = finding.kind, finding.place
        beside = place.origin == "beside"
        if kind == "shorter" and beside:
            text = self.tr("The audit trail is shorter than when it was last written: %1 "
                           "entries anchored at %2, %3 now — entries were removed or a "
                           "write-ahead log was lost.").replace("%1", str(finding.then)).replace(
                "%2", place.when)
        elif kind == "shorter":
            text = self.tr("The audit trail is shorter than %1: %2 entries then, %3 now — "
                           "entries were removed from its end, or it was emptied or replaced."
                           ).replace("%1", self._place(place)).replace("%2", str(finding.then))
        elif kind == "no_longer_holds" and beside:
            text = self.tr("The audit trail no longer holds entry #%1 anchored at %2 (%4 "
                           "entries then, %3 now) — entries were removed and others written "
                           "in their place.").replace("%1", str(finding.entry)).replace(
                "%2", place.when).replace("%4", str(finding.then))
        elif kind == "no_longer_holds":
            text = self.tr("The audit trail no longer holds entry #%1 as it was %2 (%4 entries "
                           "then, %3 now) — the trail was rewritten from that entry on, or "
                           "replaced.").replace("%1", str(finding.entry)).replace(
                "%2", self._place(place)).replace("%4", str(finding.then))
        elif kind == "seal_forged":
            text = self.tr("%1 does not match its seal: it was rewritten outside CallHelper."
                           ).replace("%1", self._subject(place))
        elif kind == "seal_missing":
            text = self.tr("%1 is not sealed, where CallHelper seals it with this account's "
                           "key: it was written outside CallHelper.").replace(
                "%1", self._subject(place))
        elif kind == "seal_other_key":
            text = self.tr("%1 is sealed with another key than this account's: it was written "
                           "outside CallHelper, or before this account's settings folder "
                           "(which keeps the key) was replaced.").replace(
                "%1", self._subject(place))
        elif place.origin == "record" and not place.line:
            text = self.tr("%1 cannot be read: %2").replace("%1", place.record).replace(
                "%2", finding.detail)
        else:
            text = self.tr("%1 does not read: it was changed outside CallHelper.").replace(
                "%1", self._subject(place))
        return text.replace("%3", str(finding.now))

    def _subject(self, place: Place) -> str:
        """The anchor file, kept anchor or line of the record a finding is about."""
        origin = place.origin
        if origin == "beside":
            return self.tr("The anchor beside the file (%1)").replace("%1", place.file)
        if origin == "kept":
            return self.tr("The anchor kept aside in %1").replace("%1", place.file)
        if origin == "record" or place.line:
            return self.tr("Line %1 of %2").replace("%1", str(place.line)).replace(
                "%2", place.record)
        return self._place(place)

    def _place(self, place: Place) -> str:
        """Where and when an end of the trail was recorded."""
        origin, when = place.origin, place.when
        if origin == "backup":
            text = self.tr("at the backup %1 of %2 (recorded in %3)")
        elif origin == "restore":
            text = self.tr("when the backup %1 was restored at %2 (recorded in %3)")
        elif origin == "found":
            text = self.tr("when CallHelper noted a trail shorter than its anchors at %2 "
                           "(recorded in %3)")
        elif origin == "new":
            text = self.tr("when a new database was started at %2 (recorded in %3)")
        elif origin == "kept":
            text = self.tr("when it was anchored beside the file at %2 (kept in %1 since "
                           "CallHelper found the trail did not hold it at %4)")
        elif origin == "server":
            text = self.tr("when it was last sent to the team's server (%2)")
        elif origin == "given":
            text = self.tr("when the end %1 given on the command line was taken")
        elif origin == "report":
            text = self.tr("when the report %1 was made")
        elif origin == "beside":
            text = self.tr("when it was anchored beside the file at %2")
        else:
            text = self.tr("when it was recorded elsewhere at %2")
        return text.replace("%1", place.file).replace("%2", when).replace(
            "%3", place.record).replace("%4", place.found)

    def _refuse(self, database: Path) -> None:
        self._backup = None
        self.message.setText(self.tr(
            "%1 is not a database this version of CallHelper can open: another kind of file, "
            "a folder, a device, another program's database or a newer CallHelper's. "
            "CallHelper did not open it and left it as it is. Correct the database's path "
            "(--data-dir, --database-url, CALLHELPER_DATABASE_URL or the database_url "
            "setting) and start CallHelper again.").replace("%1", str(database)))
        for button in (self.restore_button, self.empty_button, self.dismiss_button):
            button.hide()
        self.show()

    def warn(self, text: str) -> None:
        """Something the agent must know until they dismiss it."""
        self.message.setText(text)
        self._show_buttons(choice=False)

    def warn_unwritable(self, database: object, journal_paths: list[Path]) -> None:
        """The database cannot be written at start: where, and where what is typed is kept
        meanwhile (call_controller.CallController.unwritable)."""
        from callhelper.store import journal

        kept = journal.writable(journal_paths)
        text = self.tr("The database cannot be written: %1 (its folder is read-only, or this "
                       "account may not write to it). Calls can be taken as usual: what is "
                       "typed is kept in %2 and saved into the database as soon as it can be "
                       "written (tried every few seconds, and at the next start).")
        if kept is None:
            text = self.tr("The database cannot be written: %1 (its folder is read-only, or "
                           "this account may not write to it), and what is typed cannot be "
                           "kept either: %2 cannot be written. Make the data folder writable "
                           "before taking a call.")
            kept = " / ".join(str(path.parent) for path in journal_paths)
        self.warn(text.replace("%1", str(database)).replace("%2", str(kept)))

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
