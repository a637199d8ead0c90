"""Preferences: the agent's name, the language, the window on top."""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QLineEdit, QWidget)

from callhelper.config import Settings


class SettingsDialog(QDialog):
    """Edits the settings file; a new language takes effect at the next start."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setWindowTitle(self.tr("CallHelper — Settings"))
        self.agent_name = QLineEdit(settings.get("agent_name"))
        self.agent_name.setPlaceholderText(settings.agent_name)
        self.language = QComboBox()
        for code, label in (("system", self.tr("Same as the system")), ("ja", "日本語"),
                            ("en", "English")):
            self.language.addItem(label, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.get("language"))))
        self.always_on_top = QCheckBox(self.tr("Keep the call window above other windows"))
        self.always_on_top.setChecked(bool(settings.get("always_on_top")))
        note = QLabel(self.tr("The name is recorded on every call and note from the next call "
                              "on. A new language is used from the next start."))
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Agent name"), self.agent_name)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.always_on_top)
        form.addRow(note)
        form.addRow(buttons)

    def accept(self) -> None:
        self._settings.set("agent_name", self.agent_name.text().strip())
        self._settings.set("language", self.language.currentData())
        self._settings.set("always_on_top", self.always_on_top.isChecked())
        super().accept()
