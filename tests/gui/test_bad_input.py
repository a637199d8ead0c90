"""Bad input in the real window: huge pastes, control characters, NUL, emoji, lone
surrogates, right-to-left text, a broken settings file. Each is stored exactly (or with its
documented, visible substitution) or refused with a message, and the window carries on."""

import json

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from callhelper.config import Settings
from callhelper.core.commands import Command
from callhelper.core.pii import mask_card_numbers
from callhelper.core.text import MAX_NOTE_LENGTH
from callhelper.ui.start import build_call_window
from callhelper.ui.settings_dialog import SettingsDialog
from keyboard import type_text

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def call(qtbot, window, db):
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    return window


def save_note(qtbot, window, timeout=5000):
    before = window.notes_model.rowCount()
    qtbot.keyClick(window.note_entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.notes_model.rowCount() == before + 1, timeout=timeout)


def test_a_one_megabyte_paste_is_stored_exactly(qtbot, call, db):
    """Qt's line edit keeps 32767 characters unless told otherwise; a pasted transcript of a
    megabyte must reach the disk whole."""
    words = "お客様は「箱が潰れていた、返品したい」と仰った。order 12345; "
    pasted = (words * (2**20 // len(words.encode()) + 1))
    assert len(pasted.encode()) >= 2**20 and len(pasted) > 32767
    QApplication.clipboard().setText(pasted)
    qtbot.keyClick(call.note_entry, Qt.Key.Key_V, CTRL)
    assert call.note_entry.text() == pasted
    save_note(qtbot, call, timeout=60_000)
    assert db("SELECT text FROM note") == [(pasted,)]
    assert call.note_entry.text() == ""
    shown = call.notes_model.index(0).data()
    assert f"({len(pasted):,} characters in all)" in shown, "the list shows its start"
    assert call.saved_label.text().startswith("✓ Saved")


def test_a_note_too_long_to_store_stays_in_the_entry_with_a_message(qtbot, call, db):
    typed = "長" * (MAX_NOTE_LENGTH + 1)
    type_text(call.note_entry, typed)
    qtbot.keyClick(call.note_entry, Qt.Key.Key_Return)
    assert "Not saved" in call.saved_label.text()
    assert f"{MAX_NOTE_LENGTH:,}" in call.saved_label.text()
    assert call.note_entry.text() == typed, "nothing typed is lost"
    call.note_entry.setText("短い言葉")
    save_note(qtbot, call)
    assert db("SELECT text FROM note") == [("短い言葉",)]


@pytest.mark.parametrize("typed", [
    "タブ\tと改行\nと復帰\rの入った言葉",
    "NUL\x00の後も続く",
    "ベル\x07 エスケープ\x1b[31m 削除\x7f",
    "怒り😡 お辞儀🙇‍♂️ 肌色👍🏽 旗🇯🇵",
    "שלום, אני רוצה החזר כספי 123",
    "مرحبا أريد استرداد المال",
    "\u202e逆向き\u202c と ゼロ幅\u200b と結合\u3099",
    "  前後の空白  ",
])
def test_unusual_characters_are_stored_exactly_as_typed(qtbot, call, db, typed):
    type_text(call.note_entry, typed)
    save_note(qtbot, call)
    assert db("SELECT text FROM note") == [(typed,)]
    assert call.notes_model.index(0).data(call.notes_model.TextRole) == typed


def test_a_lone_surrogate_from_another_program_is_replaced_visibly(qtbot, call, db):
    """A note over the instance socket in JSON whose text holds half a character (\\ud83d
    without its pair): UTF-8 cannot store it, so it becomes U+FFFD and the window says so."""
    line = b'{"action": "note", "text": "\\u602a\\u3057\\u3044\\ud83d\\u6587\\u5b57"}'
    replies = []
    call.handle_command(Command.from_line(line), replies.append)
    qtbot.waitUntil(lambda: len(replies) == 1)
    assert replies[0]["text"] == "怪しい\ufffd文字"
    assert db("SELECT text FROM note") == [("怪しい\ufffd文字",)]
    assert "replaced by �" in call.saved_label.text()


#: What an agent can type or paste: any character a line edit holds (Qt has no lone
#: surrogates), with the pieces that matter most mixed in. (A byte-order mark at the very
#: start is left out: PySide drops it when handing a Python string to Qt, as the test types.)
TYPED = st.lists(st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=6),
    st.sampled_from(["4111 1111 1111 1111", "03-1234-5678", "返金しろ", "😡", "\x00", "\t",
                     "\n", "שלום", "\u202e", "土下座", "ｶﾀｶﾅ", "\ufeff"])),
    min_size=1, max_size=8).map("".join).filter(
        lambda text: text.strip() and not text.startswith(("\ufeff", "\ufffe")))


@hypothesis_settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TYPED)
def test_whatever_is_typed_reads_back_from_the_disk_as_typed_with_card_numbers_masked(
        qtbot, call, db, typed):
    type_text(call.note_entry, typed)
    save_note(qtbot, call)
    stored = db("SELECT text FROM note ORDER BY id DESC LIMIT 1")[0][0]
    assert stored == mask_card_numbers(typed)[0]


BROKEN_SETTINGS = {
    "unreadable JSON": ('{"agent_name": "佐藤", "always_on_top": tru', "settings.json"),
    "values of the wrong type": ('{"agent_name": 5, "always_on_top": "yes", "backup_keep": 0,'
                                 ' "language": "en", "playbook": "complaint"}',
                                 "agent_name, always_on_top, backup_keep"),
}


@pytest.mark.parametrize("case", BROKEN_SETTINGS)
def test_a_broken_settings_file_gives_defaults_says_so_and_stays_until_saved(
        qtbot, paths, clock, case):
    written, named = BROKEN_SETTINGS[case]
    paths.config_dir.mkdir(parents=True)
    file = paths.config_dir / "settings.json"
    file.write_text(written, encoding="utf-8")
    settings = Settings.for_paths(paths)
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=10_000):
        window.show()
    assert "Settings not read" in window.saved_label.text()
    assert named in window.saved_label.text()
    assert not window.header.pin_button.isChecked(), "always_on_top has its default"
    assert window.header.start_button.isEnabled()

    window.header.pin_button.click()  # Ctrl+T: a change the window keeps in the settings
    assert window.header.pin_button.isChecked()
    assert file.read_text(encoding="utf-8") == written, "the user's file is left as it is"

    dialog = SettingsDialog(settings, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    saved = json.loads(file.read_text(encoding="utf-8"))
    assert saved["always_on_top"] is True
    assert Settings.for_paths(paths).problem is None
