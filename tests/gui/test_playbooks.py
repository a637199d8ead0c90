"""Choosing a playbook per call, including the user's own; a broken one is named and kept out."""

from PySide6.QtCore import Qt

from callhelper.config import resources_dir

OWN = """\
id = "delivery"
version = 3
title.en = "Late delivery"
title.ja = "配送遅延"

[[steps]]
id = "apology"
target_seconds = 20
title.en = "Apologise for the delay"

[[steps]]
id = "tracking"
target_seconds = 60
title.en = "Check the tracking number"
"""


def reopen(qtbot, open_window, window):
    window.close()
    return open_window()


def test_a_users_playbook_can_be_chosen_and_is_recorded(qtbot, open_window, paths, db):
    folder = paths.config_dir / "playbooks"
    folder.mkdir(parents=True)
    (folder / "delivery.toml").write_text(OWN, encoding="utf-8")
    window = open_window()
    combo = window.ringing_page.playbook_combo
    assert [combo.itemData(i) for i in range(combo.count())] == ["complaint", "delivery"]
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    assert window.checklist.checklist_model.index(1, 0).data() == "2  Check the tracking number"
    qtbot.waitUntil(lambda: db("SELECT count(*) FROM contact") == [(1,)])
    assert db("SELECT playbook_id, playbook_version FROM contact") == [("delivery", 3)]
    window.close()
    assert open_window().session.playbook.id == "delivery", "a resumed call keeps its playbook"


def test_a_broken_playbook_is_named_with_its_line_and_the_last_good_one_stays(
        qtbot, open_window, paths):
    folder = paths.config_dir / "playbooks"
    folder.mkdir(parents=True)
    (folder / "delivery.toml").write_text(OWN, encoding="utf-8")
    window = open_window()
    (folder / "delivery.toml").write_text(OWN.replace("target_seconds = 60", "target_seconds = 0"),
                                          encoding="utf-8")
    qtbot.keyClick(window.number_input, Qt.Key.Key_F7)
    qtbot.keyClick(window.note_entry, Qt.Key.Key_F9)
    window.wrap_up.subject.setText("x")
    window.wrap_up.submit()
    qtbot.waitUntil(lambda: window.session is None)
    text = window.saved_label.text()
    assert "delivery.toml:11" in text and "target_seconds" in text
    assert window.ringing_page.playbook_combo.findData("delivery") >= 0
    assert str(resources_dir()) not in text
