"""The wrap-up form shown after a call: subject, urgency, impact, fix, prevention, status."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from callhelper.core.case import CaseStatus, Level, WrapUp
from callhelper.ui.labels import level_label, status_label


class WrapUpPanel(QWidget):
    """Emits ``submitted`` with a WrapUp when the agent saves a complete form."""

    submitted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.subject = QLineEdit()
        self.subject.setPlaceholderText(self.tr("What the call was about"))
        self.urgency = self._level_combo()
        self.impact = self._level_combo()
        self.fix = QPlainTextEdit()
        self.fix.setPlaceholderText(self.tr("What is done for this customer"))
        self.prevention = QPlainTextEdit()
        self.prevention.setPlaceholderText(self.tr("What changes so that it cannot happen again"))
        for editor in (self.fix, self.prevention):
            editor.setTabChangesFocus(True)
            editor.setFixedHeight(editor.fontMetrics().lineSpacing() * 3 + 12)
        self.status = QComboBox()
        for status in CaseStatus:
            self.status.addItem(status_label(status), status.value)
        self.problem = QLabel()
        self.problem.setObjectName("wrapUpProblem")
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.hide()
        self.save_button = QPushButton(self.tr("Save and close the call (Ctrl+S)"))
        self.save_button.clicked.connect(self.submit)

        form = QFormLayout()
        form.addRow(self.tr("Subject"), self.subject)
        form.addRow(self.tr("Urgency Alt+U"), self.urgency)
        form.addRow(self.tr("Impact Alt+I"), self.impact)
        form.addRow(self.tr("Fix"), self.fix)
        form.addRow(self.tr("Prevention"), self.prevention)
        form.addRow(self.tr("Status"), self.status)
        title = QLabel(self.tr("Wrap-up"))
        title.setStyleSheet("font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.save_button)

    def _level_combo(self) -> QComboBox:
        """Not assessed, unless the agent chooses a level."""
        combo = QComboBox()
        combo.addItem(self.tr("not assessed"), "")
        for level in Level:
            combo.addItem(level_label(level), level.value)
        return combo

    def reset(self, subject: str = "", fix: str = "", prevention: str = "", status: str = "",
              urgency: str = "", impact: str = "") -> None:
        """The form for a call: empty for a new case, what the case holds for one continued;
        urgency and impact start from what was judged during the call."""
        self.subject.setText(subject)
        for combo, value in ((self.urgency, urgency), (self.impact, impact),
                             (self.status, status)):
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.fix.setPlainText(fix)
        self.prevention.setPlainText(prevention)
        self.problem.hide()
        self.save_button.setEnabled(True)

    def submit(self) -> None:
        subject = self.subject.text().strip()
        if not subject:
            self.problem.setText(self.tr("Enter a subject before closing the call."))
            self.problem.show()
            self.subject.setFocus()
            return
        self.problem.hide()
        self.submitted.emit(WrapUp(
            subject=subject,
            urgency=Level(self.urgency.currentData()) if self.urgency.currentData() else None,
            impact=Level(self.impact.currentData()) if self.impact.currentData() else None,
            fix=self.fix.toPlainText().strip(),
            prevention=self.prevention.toPlainText().strip(),
            status=CaseStatus(self.status.currentData()),
        ))

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()
        self.save_button.setEnabled(True)
