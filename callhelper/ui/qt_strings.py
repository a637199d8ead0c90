"""Words of Qt's own dialogs that Qt's Japanese translation (qtbase_ja) lacks: Qt 6 renamed
them (an access key added: "&Look in:"), and the file chooser showed them in English under
a Japanese UI. Listed here so that the app's own translation file carries them; nothing
imports this module."""

from PySide6.QtCore import QT_TRANSLATE_NOOP

QT_STRINGS = (
    QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"),
    QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"),
)
