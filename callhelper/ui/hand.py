"""The raised hand in the call window (team mode): the button, the reasons offered by key,
and one line saying where the hand is — raised, not delivered, on the board, answered.

The logic is the call controller's (ui/call_controller.py, "the raised hand"); this is what
the agent sees of it. Nothing here takes the focus for more than the moment a reason is
chosen: an answer from a supervisor only changes the line.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPoint, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QPushButton, QWidget

from callhelper.ui.density import narrow

#: How long the list of reasons waits for a key before it closes by itself.
REASONS_OPEN_MS = 6000
KEYS = "Ctrl+Shift+H"


def reason_label(reason: str) -> str:
    """A hand's reason as the agent and the supervisor read it."""
    translate = QCoreApplication.translate
    return {
        "harassment": translate("hand", "Harassment"),
        "decision": translate("hand", "Decision needed"),
        "long_call": translate("hand", "Long call"),
        "other": translate("hand", "Other", "a reason for a raised hand"),
    }.get(reason, reason)


def answer_label(answer: str) -> str:
    """A supervisor's answer (store/live.py's code of a one-key answer, or typed words)."""
    from callhelper.store.live import COMING, HOLD_ON, TAKING_OVER, answer_text

    translate = QCoreApplication.translate
    return {
        COMING: translate("hand", "I'm coming"),
        HOLD_ON: translate("hand", "Put the customer on hold and wait"),
        TAKING_OVER: translate("hand", "I'll take over"),
    }.get(answer, answer_text(answer))


class HandBar(QLabel):
    """The hand's line, hidden while no hand is raised; ``button`` goes in the header."""

    def __init__(self, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handState")
        self.setWordWrap(True)
        self._controller = controller
        self.button = QPushButton(self.tr("Hand"))
        self.button.setObjectName("handButton")  # in the header, which sets its focus
        self.button.setToolTip(self.tr("Raise or lower your hand: the supervisors' board shows "
                                       "it (%1)").replace("%1", KEYS))
        self.button.clicked.connect(self.toggle)
        narrow(self.button, self.tr("Lower hand"))
        self.reasons: QMenu | None = None
        controller.hand_changed.connect(self.show_state)
        self.hide()

    def toggle(self) -> None:
        """Raise the hand (and offer the reasons by key) or lower it."""
        if self._controller.toggle_hand():
            self.offer_reasons()

    def offer_reasons(self) -> QMenu:
        """The reasons, 1 to 4, in a list that takes the keyboard only until one is chosen
        (or Esc, or a few seconds): the focus then goes back where it was."""
        from PySide6.QtCore import Qt

        from callhelper.ui.call_controller import HAND_REASONS

        menu = QMenu(self.window())
        menu.setObjectName("handReasons")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for number, reason in enumerate(HAND_REASONS, 1):
            action = menu.addAction(f"&{number}  {reason_label(reason)}")
            action.triggered.connect(lambda _checked=False, chosen=reason:
                                     self._controller.set_hand_reason(chosen))
        menu.addSeparator()
        menu.addAction(self.tr("Esc: no reason")).setEnabled(False)
        focused = QApplication.focusWidget()
        menu.aboutToHide.connect(lambda: QTimer.singleShot(
            0, self, lambda: focused.setFocus() if focused is not None else None))
        QTimer.singleShot(REASONS_OPEN_MS, menu, menu.close)
        anchor = self if self.isVisible() else self.window()
        menu.popup(anchor.mapToGlobal(QPoint(0, anchor.height() if anchor is self else 0)))
        self.reasons = menu
        return menu

    def show_state(self) -> None:
        controller = self._controller
        session = controller.session
        self.button.setVisible(controller.team and session is not None)
        hand = controller.hand
        self.button.setText(self.tr("Lower hand") if hand is not None else self.tr("Hand"))
        if hand is None:
            self.hide()
            return
        reason = f" ({reason_label(hand.reason)})" if hand.reason else ""
        sync = controller.sync.state if controller.sync is not None else None
        away = (sync is not None and sync.unreachable) or not controller.live_connected
        if hand.answer:
            text = self.tr("Supervisor %1: %2").replace("%1", hand.answered_by).replace(
                "%2", answer_label(hand.answer))
            style = "color: #1b5e20; font-weight: bold;"
        elif hand.delivered:
            text = self.tr("Hand raised%1 — on the supervisors' board").replace("%1", reason)
            style = "color: #0d47a1;"
        elif away:
            text = self.tr("Hand raised%1 — NOT delivered: the server cannot be reached. "
                           "Raise your hand for real.").replace("%1", reason)
            style = "color: #c62828; font-weight: bold;"
        else:
            text = self.tr("Hand raised%1 — not delivered yet").replace("%1", reason)
            style = "color: #ef6c00;"
        self.setText(text)
        self.setStyleSheet(style)
        self.show()
