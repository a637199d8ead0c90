"""Qt's own dialogs (the file chooser) speak Japanese under a Japanese UI: Qt's translations
are loaded beside the app's, and the bundle keeps them."""

import re
from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

from callhelper.app.bootstrap import install_translators

ROOT = Path(__file__).resolve().parents[2]


def labels(dialog):
    return {label.objectName(): label.text() for label in dialog.findChildren(QLabel)
            if label.objectName()}


def test_the_file_chooser_is_in_japanese_under_a_japanese_ui(qtbot):
    app = QApplication.instance()
    translators = install_translators(app, "ja")
    try:
        dialog = QFileDialog(None, "", str(ROOT))
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        qtbot.addWidget(dialog)
        shown = labels(dialog)
        assert shown["lookInLabel"] and "Look in" not in shown["lookInLabel"]
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", shown["lookInLabel"]), shown
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", shown["fileTypeLabel"]), shown
        assert "Files of type" not in shown["fileTypeLabel"]
    finally:
        for translator in translators:
            app.removeTranslator(translator)
    english = QFileDialog(None, "", str(ROOT))
    english.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(english)
    assert "Look in" in labels(english)["lookInLabel"]


def test_the_bundle_keeps_qts_japanese_translations():
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert 'f"{QT_TRANSLATIONS}qtbase_{language}.qm" for language in LANGUAGES' in spec
    assert (ROOT / "resources" / "i18n" / "callhelper_ja.ts").is_file()  # so "ja" is kept
