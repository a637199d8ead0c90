"""What the call window shows of escalation and handoff: the playbook's responses to the
flags and signals under the suggestion to hand over (ui/responses.py), and once the agent
hands over (Ctrl+E) the senior's script and a line to name the senior who takes over.

The reasons and the summary are the call controller's (ui/call_controller.py).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLineEdit, QWidget

from callhelper.ui.line_edit import empty
from callhelper.ui.responses import ResponseBanner, SeniorScript


class HandoffBar(QWidget):
    """The line naming the senior, hidden until a handoff. ``escalation_label`` and
    ``senior_script`` are its banners, placed by the window above the notes; ``message`` is
    for the status line, and ``done`` fires once the senior is named."""

    message = Signal(str, bool)
    done = Signal()

    def __init__(self, controller, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._language = language
        self.escalation_label = ResponseBanner()
        self.senior_script = SeniorScript()
        self.senior_input = QLineEdit()
        self.senior_input.setObjectName("seniorName")
        self.senior_input.setPlaceholderText(self.tr("Name of the senior taking over… Enter"))
        self.senior_input.returnPressed.connect(self._record_senior)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("Handoff copied.")))
        row.addWidget(self.senior_input, 1)
        self.hide()
        controller.handed_over.connect(self._handed_over)

    def reset(self) -> None:
        """A call on screen: no handoff yet."""
        self.hide()
        self.senior_script.hide()

    def show_escalation(self) -> None:
        """The playbook's responses to the flags and signals, under the suggestion to hand
        over."""
        controller = self._controller
        session = controller.session
        if session is None or not session.in_call:
            self.escalation_label.hide()
            return
        self.escalation_label.present(controller.playbook, self._language,
                                      controller.notes.flag_categories(),
                                      controller.escalation_reasons(),
                                      controller.reason_labels(), session.talk_seconds())

    def _handed_over(self, summary: str) -> None:
        """The handoff summary to the clipboard, the senior's script, and a line to name the
        senior who takes over."""
        QApplication.clipboard().setText(summary)
        self.show()
        self.senior_script.present(self._controller.playbook, self._language)
        empty(self.senior_input)
        self.senior_input.setFocus()
        self.message.emit(self.tr("✓ Handoff summary copied to the clipboard"), False)

    def _record_senior(self) -> None:
        name = self.senior_input.text().strip()
        if not name or self._controller.session is None:
            return
        self._controller.record_senior(name)
        self.hide()
        self.done.emit()
