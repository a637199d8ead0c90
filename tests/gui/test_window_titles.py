"""Window titles name the window only: on X11 and Windows Qt adds " — CallHelper" (the
application's display name) to every title that does not end with it, so a title that
named the app too read 「CallHelper — 履歴 — CallHelper」."""

from PySide6.QtCore import Qt

from callhelper.ui.settings_dialog import SettingsDialog

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_no_window_title_names_the_app(qtbot, window, settings):
    titles = [window.windows.open_history().windowTitle()]

    review = window.windows.open_review()
    titles.append(review.windowTitle())
    qtbot.waitUntil(lambda: ":" in review.windowTitle())  # the files are named
    titles.append(review.windowTitle())
    review.close()

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.number_input, Qt.Key.Key_E, CTRL | SHIFT)
    titles.append(window.windows.export_dialog.windowTitle())
    window.windows.export_dialog.close()
    settings_dialog = SettingsDialog(settings)
    qtbot.addWidget(settings_dialog)
    titles.append(settings_dialog.windowTitle())

    assert not [title for title in titles if "CallHelper" in title]
    assert titles[:2] == ["History", "Review (read-only)"]
    assert titles[2].startswith("Review (read-only): ")
    assert titles[3:] == ["Export", "Settings"]
