"""The page of the call window during a call: the playbook's checklist with the time each
step was done (Ctrl+digit ticks one), the hint for the current step (what to say and avoid,
NG → better phrasings; the whole of it in the tooltip), and the urgency and impact judged
during the call (Alt+U, Alt+I).

The steps and the levels are the call controller's (ui/call_controller.py).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView,
                               QLabel, QTableView, QVBoxLayout, QWidget)

from callhelper.core.case import Level
from callhelper.ui.labels import level_label
from callhelper.ui.models import ChecklistModel

HINT_ITEMS = 1


class ChecklistPanel(QWidget):

    def __init__(self, controller, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._language = language
        self._hint_step: str | None = None
        self.checklist_model = ChecklistModel(language, self)
        self.checklist_model.tick_requested.connect(controller.set_step_done)
        self.checklist_view = QTableView()
        self.checklist_view.setObjectName("checklist")
        self.checklist_view.setModel(self.checklist_model)
        self.checklist_view.setShowGrid(False)
        self.checklist_view.horizontalHeader().hide()
        self.checklist_view.verticalHeader().hide()
        self.checklist_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.checklist_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.checklist_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.checklist_view.horizontalHeader()
        header.setSectionResizeMode(ChecklistModel.STEP, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ChecklistModel.TIME, QHeaderView.ResizeMode.ResizeToContents)
        rows = self.checklist_view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.hint_label = QLabel()
        self.hint_label.setObjectName("stepHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setTextFormat(Qt.TextFormat.RichText)
        self.hint_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.hint_label.setStyleSheet("background: #f4f6f8; padding: 4px;")
        hint_font = QFont(self.font())
        hint_font.setPointSizeF(hint_font.pointSizeF() * 0.92)
        self.hint_label.setFont(hint_font)
        self.urgency_combo = self._level_combo()
        self.impact_combo = self._level_combo()
        levels = QHBoxLayout()
        levels.addWidget(QLabel(self.tr("Urgency Alt+U")))
        levels.addWidget(self.urgency_combo, 1)
        levels.addWidget(QLabel(self.tr("Impact Alt+I")))
        levels.addWidget(self.impact_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.checklist_view)
        layout.addWidget(self.hint_label)
        layout.addLayout(levels)

    def _level_combo(self) -> QComboBox:
        combo = QComboBox()
        combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # as narrow as a level's name ("not assessed" is cut short in a 400-pixel window)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(4)
        combo.addItem(self.tr("not assessed"), "")
        for level in Level:
            combo.addItem(level_label(level), level.value)
        combo.activated.connect(self.levels_changed)
        return combo

    def begin(self) -> None:
        """A call on screen: the hint is drawn afresh, the levels are the call's."""
        self._hint_step = None
        self.show_levels()

    def show_levels(self) -> None:
        for combo, value in ((self.urgency_combo, self._controller.urgency),
                             (self.impact_combo, self._controller.impact)):
            combo.setCurrentIndex(max(0, combo.findData(value)))

    def levels_changed(self) -> None:
        self._controller.set_levels(self.urgency_combo.currentData() or "",
                                    self.impact_combo.currentData() or "")

    def refresh(self) -> None:
        """The steps as the session has them, and the hint of the current one."""
        session = self._controller.session
        if session is None:
            return
        steps = session.steps()
        self.checklist_model.set_steps(steps)
        rows = len(steps)
        self.checklist_view.setFixedHeight(rows * self.checklist_view.verticalHeader()
                                           .defaultSectionSize() + 4)
        current = next((status for status in steps if status.current), None)
        if current is None:
            self._hint_step = None
            self.hint_label.setText(self.tr("All steps done."))
            self.hint_label.setToolTip("")
            return
        step = current.step
        if self._hint_step == step.id:
            return
        self._hint_step = step.id
        self.hint_label.setText(self._hint_html(step, HINT_ITEMS))
        self.hint_label.setToolTip(step.why.get(self._language) + "<hr>"
                                   + self._hint_html(step, None))

    def _hint_html(self, step, most: int | None) -> str:
        """What to say and avoid, and NG → better phrasings; ``most`` of each list."""
        say = "<br>".join(escape(text) for text in step.say.get(self._language)[:most])
        avoid = escape(self.tr(", ").join(step.avoid.get(self._language)))
        lines = [f"<b>{escape(label)}</b> {text}" for label, text in
                 ((self.tr("Say:"), say), (self.tr("Avoid:"), avoid)) if text]
        lines += [f"✗ {escape(phrasing.ng.get(self._language))} → "
                  f"✓ {escape(phrasing.better.get(self._language))}"
                  for phrasing in self._controller.playbook.phrasings_for(step.id)[:most]]
        return "<br>".join(lines)
