"""The top of the call window: the call's timer and state, the buttons (start, hold, end,
the raised hand, on top, history, export, settings), and the caller's name and details with
the case the call continues (Alt+C chooses another).

It draws what the call controller (ui/call_controller.py) holds; the window decides what the
buttons that open other windows do.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QApplication, QHBoxLayout, QLabel, QMenu, QPushButton,
                               QSizePolicy, QVBoxLayout, QWidget)

from callhelper.core.session import CallState, format_offset
from callhelper.ui.density import narrow
from callhelper.ui.labels import phone_label

TIMER_COLORS = {
    CallState.READY: "#8a8a8a",
    CallState.ACTIVE: "#2e7d32",
    CallState.ON_HOLD: "#ef6c00",
    CallState.ENDED: "#8a8a8a",
}


class CallHeader(QWidget):
    """``second`` fires just after each whole second of a call (the timer is redrawn then),
    for what else counts the call's time."""

    second = Signal()

    def __init__(self, controller, hand_button: QPushButton,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.case_menu: QMenu | None = None
        self.timer_label = QLabel("00:00")
        self.timer_label.setObjectName("timer")
        timer_font = QFont(self.font())
        timer_font.setPointSize(26)
        timer_font.setBold(True)
        timer_font.setStyleHint(QFont.StyleHint.Monospace)
        self.timer_label.setFont(timer_font)
        self.state_label = QLabel()
        self.state_label.setObjectName("callState")

        self.start_button = QPushButton(self.tr("Start F7"))
        self.start_button.clicked.connect(lambda: controller.start_call())
        self.hold_button = QPushButton(self.tr("Hold F8"))
        self.hold_button.clicked.connect(controller.toggle_hold)
        self.end_button = QPushButton(self.tr("End F9"))
        self.end_button.clicked.connect(controller.end_call)
        self.pin_button = QPushButton(self.tr("On top"))
        self.pin_button.setCheckable(True)
        self.pin_button.setToolTip(self.tr("Keep this window above the others (Ctrl+T)"))
        self.history_button = QPushButton(self.tr("History"))
        self.history_button.setToolTip(self.tr("Cases and search (Ctrl+H)"))
        self.export_button = QPushButton("⇩")
        self.export_button.setToolTip(self.tr("Export notes or cases to CSV (Ctrl+Shift+E)"))
        self.settings_button = QPushButton("⚙")
        self.settings_button.setToolTip(self.tr("Settings (Ctrl+,)"))
        self.buttons = (self.start_button, self.hold_button, self.end_button, hand_button,
                        self.pin_button, self.history_button, self.export_button,
                        self.settings_button)
        for button in (self.export_button, self.settings_button):  # one symbol: kept narrow
            button.setMaximumWidth(2 * button.sizeHint().height())
        for button in (self.start_button, self.end_button, self.pin_button,
                       self.history_button, self.export_button, self.settings_button):
            narrow(button)
        narrow(self.hold_button, self.tr("Resume F8"))

        row = QHBoxLayout()
        timer_box = QVBoxLayout()
        timer_box.setSpacing(0)
        timer_box.addWidget(self.timer_label)
        timer_box.addWidget(self.state_label)
        row.addLayout(timer_box)
        row.addStretch(1)
        button_row = QHBoxLayout()
        for button in self.buttons:
            button_row.addWidget(button)
        button_box = QVBoxLayout()  # the buttons at the top, beside the timer
        button_box.addLayout(button_row)
        button_box.addStretch(1)
        row.addLayout(button_box)

        self.caller_label = QLabel()
        self.caller_label.setObjectName("caller")
        caller_font = QFont(self.font())
        caller_font.setPointSize(caller_font.pointSize() + 3)
        caller_font.setBold(True)
        self.caller_label.setFont(caller_font)
        self.caller_detail = QLabel()
        self.caller_detail.setObjectName("callerDetail")
        self.caller_detail.setStyleSheet("color: #555;")
        for label in (self.caller_label, self.caller_detail):  # never wider than the window
            label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        # the height of what it shows: the buttons' stretch above must not make it taller
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout.addWidget(self.caller_label)
        layout.addWidget(self.caller_detail)

        self._tick_timer = QTimer(self)
        self._tick_timer.setSingleShot(True)
        self._tick_timer.timeout.connect(self.tick)

    def complete(self) -> None:
        """What the window needs once it takes calls (CallWindow.complete): the buttons take
        no keyboard focus (a click leaves the keys where they were typed), and the timer is
        redrawn on the second. Not at construction: naming Qt's namespace makes PySide build
        the Python enums of all of it at once, a sixth of a bare window's start-up, which the
        first paint does without."""
        from PySide6.QtCore import Qt

        for button in self.buttons:
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._tick_timer.setTimerType(Qt.TimerType.PreciseTimer)

    def show_state(self) -> None:
        """The buttons of the call's state (between calls: start and the other windows;
        during one: hold and end), its name, and the timer's colour."""
        controller = self._controller
        session = controller.session
        state = session.state if session else CallState.READY
        in_call = session is not None and session.in_call
        self.start_button.setVisible(session is None)
        self.start_button.setEnabled(controller.takes_calls)
        self.settings_button.setVisible(session is None)
        self.history_button.setVisible(session is None)
        self.export_button.setVisible(session is None)
        self.hold_button.setVisible(in_call)
        self.end_button.setVisible(in_call)
        self.hold_button.setText(self.tr("Resume F8") if state is CallState.ON_HOLD
                                 else self.tr("Hold F8"))
        self.state_label.setText({
            CallState.READY: self.tr("No call"),
            CallState.ACTIVE: self.tr("In call"),
            CallState.ON_HOLD: self.tr("On hold"),
            CallState.ENDED: self.tr("Wrap-up"),
        }[state])
        self.timer_label.setStyleSheet(f"color: {TIMER_COLORS[state]};")

    def tick(self) -> None:
        """Redraw the timer; re-armed for just after the next whole second, so it never
        drifts."""
        session = self._controller.session
        elapsed = session.elapsed_seconds() if session else 0.0
        self.timer_label.setText(format_offset(elapsed))
        if session is not None and session.in_call:
            self.second.emit()
            self._tick_timer.start(int(1000 - (elapsed * 1000) % 1000) + 5)
        else:
            self._tick_timer.stop()

    def stop(self) -> None:
        self._tick_timer.stop()

    def show_caller(self) -> None:
        """The caller's name (or number), company, calls of late and the case; between calls
        the caller ringing or typed."""
        controller = self._controller
        caller, found, in_call = controller.caller, controller.history, \
            controller.session is not None
        customer = found.customer if found else None
        name = caller.name or (customer.name if customer else "")
        typed = controller.next_caller.phone.strip()
        if not in_call and not found:
            title = self.tr("Ready for the next call")
        elif name:
            title = self.tr("%1", "the caller's name, with an honorific").replace("%1", name)
        else:
            title = phone_label(caller.phone or typed) or self.tr("Unknown caller")
        if customer and customer.company:
            title += f"  ·  {customer.company}"
        self.caller_label.setText(title)
        phone = phone_label(caller.phone if in_call else typed)
        details = [phone] if phone and name else []
        if controller.recent_contacts > 1:
            days = controller.playbook.escalation.repeat_days
            details.append(self.tr("%1 calls in %2 days").replace(
                "%1", str(controller.recent_contacts)).replace("%2", str(days)))
        elif phone and found is not None and not found.contacts and not name:
            details.append(self.tr("New caller — Ctrl+P adds a profile"))
        case = self._case_detail()
        if case:
            details.append(case)
        details.append(self.tr("Handler: %1").replace("%1", controller.agent))
        self.caller_detail.setText("  ·  ".join(details))

    def _case_detail(self) -> str:
        """The header's words for the case the call continues, when the caller has any open."""
        controller = self._controller
        if controller.case is not None:
            return self.tr("Case: %1 (Alt+C)").replace("%1", self._case_title(controller.case))
        if controller.open_cases():
            return self.tr("New case (Alt+C)")
        return ""

    def _case_title(self, case) -> str:
        return self.tr("“%1”").replace("%1", case.subject) if case.subject \
            else self.tr("(no subject yet)")

    def choose_case(self) -> QMenu | None:
        """Alt+C, before or during the call: a list of the caller's open cases and "New
        case"; ↑↓ and Enter choose the case the call continues."""
        controller = self._controller
        session = controller.session
        if session is not None and not session.in_call:
            return None
        menu = QMenu(self.window())
        menu.setObjectName("caseChoice")
        current = None
        for case in controller.open_cases():
            action = menu.addAction(self._case_title(case) + "  ·  " + case.last_contact_at
                                    .astimezone().strftime("%Y-%m-%d"))
            action.triggered.connect(lambda _checked=False, chosen=case:
                                     controller.choose_case(chosen))
            if controller.case is not None and case.uid == controller.case.uid:
                current = action
        menu.addSeparator()
        new_case = menu.addAction(self.tr("New case"))
        new_case.triggered.connect(lambda _checked=False: controller.choose_case(None))
        for action in menu.actions():
            action.setCheckable(not action.isSeparator())
        (current or new_case).setChecked(True)
        focused = QApplication.focusWidget()
        from PySide6.QtCore import Qt

        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # once the list is gone (while it closes it still holds the keyboard)
        menu.aboutToHide.connect(lambda: QTimer.singleShot(
            0, self, lambda: focused.setFocus() if focused is not None else None))
        menu.popup(self.caller_detail.mapToGlobal(QPoint(0, self.caller_detail.height())))
        menu.setActiveAction(current or new_case)
        self.case_menu = menu
        return menu
