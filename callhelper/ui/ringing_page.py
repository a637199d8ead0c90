"""The page of the call window between calls: the caller's number and name (typed, or given
by the phone system as it rings), whether we call the customer back, and the playbook of the
next call. Enter (or F7) starts the call.

What is typed goes to the call controller (ui/call_controller.py) as it is typed, which looks
the caller up.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from callhelper.ui.labels import phone_label
from callhelper.ui.line_edit import empty


class RingingPage(QWidget):
    """``start_requested`` is Enter in the number or the name; ``message`` is for the status
    line (a playbook that did not load)."""

    start_requested = Signal()
    message = Signal(str, bool)

    def __init__(self, controller, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._language = language
        self.number_input = QLineEdit()
        self.number_input.setObjectName("callerNumber")
        self.number_input.setPlaceholderText(self.tr("Caller's number (optional)"))
        self.name_input = QLineEdit()
        self.name_input.setObjectName("callerName")
        self.name_input.setPlaceholderText(self.tr("Caller's name (optional)"))
        for field in (self.number_input, self.name_input):
            field.returnPressed.connect(self.start_requested)
        self.number_input.textChanged.connect(controller.set_next_number)
        self.number_input.editingFinished.connect(self._show_number_normalised)
        self.name_input.textChanged.connect(controller.set_next_name)
        self.outgoing_box = QCheckBox(self.tr("We call the customer (callback)"))
        self.outgoing_box.setObjectName("outgoing")
        self.outgoing_box.setToolTip(self.tr(
            "An outgoing call does not count as the customer calling again"))
        self.outgoing_box.toggled.connect(controller.set_next_outgoing)
        self.playbook_combo = QComboBox()
        self.playbook_combo.setObjectName("playbook")
        self.playbook_combo.activated.connect(self._choose_playbook)
        form = QFormLayout(self)
        form.setContentsMargins(0, 8, 0, 0)
        form.addRow(self.tr("Number"), self.number_input)
        form.addRow(self.tr("Name"), self.name_input)
        form.addRow(self.outgoing_box)
        form.addRow(self.tr("Playbook"), self.playbook_combo)
        hint = QLabel(self.tr("Press F7 (or Enter here) when the call is answered."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555;")
        form.addRow(hint)

    def show_ringing(self, caller) -> None:
        """The phone system names the next caller (a ``CallerInfo``)."""
        self.outgoing_box.setChecked(caller.outgoing)
        self.number_input.setText(phone_label(caller.phone))
        self.name_input.setText(caller.name)

    def clear(self) -> None:
        """The call is closed: ready for the next one."""
        empty(self.number_input)
        empty(self.name_input)
        self.outgoing_box.setChecked(False)
        self.number_input.setFocus()

    def _show_number_normalised(self) -> None:
        """The number typed, as agents read it, once the agent leaves the field."""
        shown = phone_label(self.number_input.text())
        if shown and shown != self.number_input.text():
            self.number_input.setText(shown)

    def refresh_playbooks(self) -> None:
        """Re-read the playbook folders between calls; a broken file is named, and its
        last good version stays."""
        errors = self._controller.refresh_playbooks()
        self.playbook_combo.clear()
        for playbook in self._controller.playbooks():
            self.playbook_combo.addItem(f"{playbook.title.get(self._language)} "
                                        f"(v{playbook.version})", playbook.id)
        self.playbook_combo.setCurrentIndex(max(0, self.playbook_combo.findData(
            self._controller.playbook.id)))
        if errors:
            self.message.emit(self.tr("Playbook not loaded: %1").replace("%1", str(errors[0])),
                              True)

    def _choose_playbook(self, index: int) -> None:
        self._controller.choose_playbook(self.playbook_combo.itemData(index))
