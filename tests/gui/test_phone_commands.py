"""What the phone system tells the window, applied to the real window."""

from callhelper.core.commands import Action, Command
from callhelper.core.session import CallState
from callhelper.ui.app import build_call_window


def test_ringing_answered_and_hung_up(qtbot, window):
    window.handle_command(Command(Action.INCOMING, "03-1234-5678", "山田 太郎"))
    assert window.number_input.text() == "03-1234-5678"
    assert window.name_input.text() == "山田 太郎"
    qtbot.waitUntil(lambda: window.status()["history_loaded"])
    window.handle_command(Command(Action.START))
    assert window.session.state is CallState.ACTIVE
    assert window.status()["number"] == "03-1234-5678"
    window.handle_command(Command(Action.END))
    assert window.session.state is CallState.ENDED
    assert window.wrap_up.isVisible()


def test_another_line_ringing_does_not_disturb_the_call(qtbot, window):
    window.handle_command(Command(Action.START, "03-1234-5678"))
    window.note_entry.setText("途中まで打った言葉")
    window.handle_command(Command(Action.INCOMING, "06-9999-0000"))
    assert window.status()["number"] == "03-1234-5678"
    assert window.note_entry.text() == "途中まで打った言葉"
    assert "Another call is ringing: 06-9999-0000" in window.saved_label.text()


def test_a_command_before_the_database_is_open_waits_for_it(qtbot, paths, settings, clock):
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    window.handle_command(Command(Action.START, "03-1234-5678"))
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    assert window.session is not None and window.session.state is CallState.ACTIVE
