"""Every user-visible string has a Japanese translation, and the window speaks it."""

import subprocess
from datetime import datetime, timezone
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from callhelper.config import resources_dir
from callhelper.app.bootstrap import install_translators

TS_FILE = resources_dir() / "i18n" / "callhelper_ja.ts"
UI_SOURCES = sorted(str(path) for path in (Path(__file__).parents[2] / "callhelper" / "ui")
                    .glob("*.py"))


def messages(ts_file):
    return {(context.findtext("name"), message.findtext("source")): message.find("translation")
            for context in ET.parse(ts_file).getroot().iter("context")
            for message in context.iter("message")}


def test_every_string_in_the_sources_is_in_the_ts_file(tmp_path):
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    fresh = tmp_path / "fresh.ts"
    subprocess.run([str(lupdate), "-silent", *UI_SOURCES, "-ts", str(fresh)], check=True)
    missing = set(messages(fresh)) - set(messages(TS_FILE))
    assert not missing, f"run `make translations` and translate: {sorted(missing)}"


def _translated_text(translation) -> str:
    """The translation, or for a message with plural forms its forms."""
    forms = [form.text or "" for form in translation.findall("numerusform")]
    return "".join([translation.text or "", *forms]).strip()


def test_every_string_has_a_japanese_translation():
    untranslated = [key for key, translation in messages(TS_FILE).items()
                    if translation is None or translation.get("type") in ("unfinished", "vanished",
                                                                          "obsolete")
                    or not _translated_text(translation)]
    assert not untranslated


@pytest.fixture
def japanese(qapp):
    assert TS_FILE.with_suffix(".qm").exists(), "build the translations first: make i18n"
    translators = install_translators(qapp, "ja")
    yield
    for translator in translators:
        QApplication.removeTranslator(translator)


def test_the_window_speaks_japanese(qtbot, japanese, paths, settings, clock):
    from callhelper.ui.start import build_call_window

    settings.set("language", "ja")
    window = build_call_window(paths, settings, clock)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready):
        window.show()
    assert window.header.start_button.text() == "開始 F7"
    assert window.entry.kind_combo.itemText(0) == "発言「」"
    window.start_call("03-1234-5678", "山田")
    assert window.header.hold_button.text() == "保留 F8"
    assert window.checklist.checklist_model.index(0, 0).data() == "1  お詫び(限定謝罪)"
    assert "ご不便をおかけしております" in window.checklist.hint_label.text()
    assert window.checklist.hint_label.text().startswith("<b>言う:</b> ")
    assert window.header.caller_label.text() == "山田 様"


def test_a_timeline_names_the_fix_and_the_prevention_in_japanese(qtbot, japanese, paths):
    from sqlalchemy import text

    from callhelper.store import history
    from callhelper.store.demo import fill_demo
    from callhelper.store.engine import Store
    from callhelper.app.bootstrap import demand_rules, playbook_catalog
    from callhelper.ui.timeline_view import TimelineRenderer

    store = Store(paths.database_url)
    fill_demo(store, 30, 3, demand_rules(), datetime(2026, 11, 20, tzinfo=timezone.utc))
    with store.unit_of_work() as session:
        case_id = session.execute(text("SELECT id FROM support_case WHERE fix != '' "
                                       "AND prevention != '' LIMIT 1")).scalar_one()
        timeline = history.case_timeline(session, case_id)
    store.close()
    shown = TimelineRenderer(playbook_catalog(paths), demand_rules(), "ja").html(timeline)
    assert "<b>対処:</b>" in shown and "<b>再発防止:</b>" in shown
    assert "Fix" not in shown and "Prevention" not in shown
    # the heading: urgency and impact as assessed, and the number of calls
    levels = f"緊急度: {'高中低'[['high', 'medium', 'low'].index(timeline.case.urgency)]}" \
        if timeline.case.urgency else "緊急度: 未確認"
    assert levels in shown and "重要度: " in shown
    assert f"通話 {len(timeline.contacts)} 件" in shown
    assert "Urgency" not in shown and "Calls" not in shown
