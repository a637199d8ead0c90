"""The settings dialog's phone-system section: turning the endpoint on gives its address."""

import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox

from callhelper.config import Settings
from callhelper.ui.settings_dialog import SettingsDialog

ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/api/v1/cti/([A-Za-z0-9_-]{32,})")


@pytest.fixture
def open_dialog(qtbot, paths):
    def open_():
        dialog = SettingsDialog(Settings.for_paths(paths))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return open_


@pytest.fixture
def dialog(settings, open_dialog):
    return open_dialog()


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def turn_on(qtbot, dialog):
    dialog.cti_enabled.setFocus()
    qtbot.keyClick(dialog.cti_enabled, Qt.Key.Key_Space)


def press(qtbot, dialog, which):
    click(qtbot, dialog.findChild(QDialogButtonBox).button(which))


def saved(paths):
    return json.loads((paths.config_dir / "settings.json").read_text(encoding="utf-8"))


def test_the_endpoint_is_off_and_its_address_inactive(dialog):
    assert not dialog.cti_enabled.isChecked()
    for widget in (dialog.cti_port, dialog.cti_url, dialog.copy_url, dialog.new_token):
        assert not widget.isEnabled()
    assert dialog.cti_url.text() == ""


def test_turning_it_on_shows_the_address_and_saves_it(qtbot, dialog, paths):
    turn_on(qtbot, dialog)
    match = ADDRESS.fullmatch(dialog.cti_url.text())
    assert match, dialog.cti_url.text()
    assert dialog.cti_url.isEnabled() and dialog.cti_url.isReadOnly()
    click(qtbot, dialog.copy_url)
    assert QGuiApplication.clipboard().text() == dialog.cti_url.text()
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    stored = saved(paths)
    assert stored["cti_enabled"] is True
    assert stored["cti_token"] == match.group(2)
    assert stored["cti_port"] == int(match.group(1))


def test_the_address_follows_the_port(qtbot, dialog):
    turn_on(qtbot, dialog)
    dialog.cti_port.setFocus()
    dialog.cti_port.selectAll()
    qtbot.keyClicks(dialog.cti_port, "9444")
    assert ADDRESS.fullmatch(dialog.cti_url.text()).group(1) == "9444"


def test_a_new_token_replaces_the_old_address(qtbot, settings, open_dialog, paths):
    settings.set("cti_enabled", True)
    settings.set("cti_token", "old-token-0123456789abcdefghijkl")
    dialog = open_dialog()
    assert dialog.cti_url.text().endswith("/old-token-0123456789abcdefghijkl")
    click(qtbot, dialog.new_token)
    new_token = ADDRESS.fullmatch(dialog.cti_url.text()).group(2)
    assert new_token != "old-token-0123456789abcdefghijkl"
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    assert saved(paths)["cti_token"] == new_token


def test_cancel_changes_nothing(qtbot, dialog, paths):
    before = saved(paths)
    turn_on(qtbot, dialog)
    click(qtbot, dialog.new_token)
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    assert saved(paths) == before
