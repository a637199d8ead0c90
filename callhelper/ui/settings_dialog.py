"""Preferences: the agent's name, the language, the window on top, the phone system."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QSizePolicy, QSpinBox, QWidget)

from callhelper.config import Settings, new_cti_token
from callhelper.core.cti import endpoint_url

# Ports below 1024 need administrator rights on most systems.
FIRST_PORT = 1024
LAST_PORT = 65535


class SettingsDialog(QDialog):
    """Edits the settings file; a new language takes effect at the next start, the phone
    system's endpoint as soon as the dialog is saved."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setWindowTitle(self.tr("Settings"))
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
        form.addRow(self._phone_system())
        form.addRow(buttons)

    def _phone_system(self) -> QGroupBox:
        """The local CTI endpoint: on or off, its port, and the address for the PBX."""
        self._token = self._settings.get("cti_token")
        self.cti_enabled = QCheckBox(self.tr("Receive call events from the phone system"))
        self.cti_enabled.setChecked(bool(self._settings.get("cti_enabled")))
        self.cti_port = QSpinBox()
        self.cti_port.setRange(FIRST_PORT, LAST_PORT)
        self.cti_port.setValue(min(max(self._settings.get("cti_port"), FIRST_PORT), LAST_PORT))
        self.cti_port.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.cti_url = QLineEdit()
        self.cti_url.setReadOnly(True)
        self.cti_url.setPlaceholderText(self.tr("Shown once the endpoint is on"))
        self.cti_url.setMinimumWidth(self.cti_url.fontMetrics().horizontalAdvance(
            endpoint_url(LAST_PORT, new_cti_token())) + 16)
        self.copy_url = QPushButton(self.tr("Copy"))
        self.copy_url.setToolTip(self.tr("Copy the address to the clipboard"))
        self.copy_url.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.cti_url.text()))
        self.new_token = QPushButton(self.tr("New token"))
        self.new_token.setToolTip(self.tr("Make a new secret address; the phone system must "
                                          "then be given the new one"))
        self.new_token.clicked.connect(self._make_token)
        address = QHBoxLayout()
        address.addWidget(self.cti_url, 1)
        address.addWidget(self.copy_url)
        address.addWidget(self.new_token)
        hint = QLabel(self.tr("Give the address to the phone system (Zammad's generic CTI "
                              "interface): it posts each call's ringing, answer and hang-up "
                              "there. Only programs on this computer can reach it."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        box = QGroupBox(self.tr("Phone system"))
        layout = QFormLayout(box)
        layout.addRow(self.cti_enabled)
        layout.addRow(self.tr("Port"), self.cti_port)
        layout.addRow(self.tr("Address"), address)
        layout.addRow(hint)
        self.cti_enabled.toggled.connect(self._show_endpoint)
        self.cti_port.valueChanged.connect(self._show_endpoint)
        self._show_endpoint()
        return box

    def _make_token(self) -> None:
        self._token = new_cti_token()
        self._show_endpoint()

    def _show_endpoint(self) -> None:
        on = self.cti_enabled.isChecked()
        if on and not self._token:
            self._token = new_cti_token()
        for widget in (self.cti_port, self.cti_url, self.copy_url, self.new_token):
            widget.setEnabled(on)
        self.cti_url.setText(endpoint_url(self.cti_port.value(), self._token)
                             if self._token else "")

    def accept(self) -> None:
        self._settings.set("agent_name", self.agent_name.text().strip())
        self._settings.set("language", self.language.currentData())
        self._settings.set("always_on_top", self.always_on_top.isChecked())
        self._settings.set("cti_enabled", self.cti_enabled.isChecked())
        self._settings.set("cti_port", self.cti_port.value())
        if self._token:
            self._settings.set("cti_token", self._token)
        self._settings.save()
        super().accept()
