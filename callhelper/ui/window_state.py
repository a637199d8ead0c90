"""Where the windows keep their size and place between runs: ``window.ini`` in the settings
folder (the call window's geometry; the history, review and export windows keep theirs and
their columns there too)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from callhelper.config import Paths

DEFAULT_SIZE = (400, 680)


def state_file(paths: Paths) -> QSettings:
    return QSettings(str(paths.config_dir / "window.ini"), QSettings.Format.IniFormat)


def restore_geometry(window: QWidget, paths: Paths) -> None:
    """The size and place ``window`` had at its last close, else beside a phone system's."""
    geometry = state_file(paths).value("geometry")
    if geometry is None or not window.restoreGeometry(geometry):
        window.resize(*DEFAULT_SIZE)


def save_geometry(window: QWidget, paths: Paths) -> None:
    state = state_file(paths)
    state.setValue("geometry", window.saveGeometry())
    state.sync()
