"""Start-up of the GUI: the application, its translations, the store and the call window."""

from __future__ import annotations

import gc
import logging
import signal
import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from callhelper.config import Paths, Settings, resources_dir
from callhelper.core.commands import Action, Command
from callhelper.core.clock import Clock, SystemClock
from callhelper.core.flags import DemandRules, load_rules
from callhelper.core.playbook import PlaybookCatalog

log = logging.getLogger(__name__)


def ui_language(settings: Settings) -> str:
    """``ja`` or ``en``: the setting, or else the system locale."""
    chosen = settings.get("language")
    if chosen in ("ja", "en"):
        return chosen
    return "ja" if QLocale.system().name().startswith("ja") else "en"


def install_translators(app: QApplication, language: str) -> list[QTranslator]:
    """Load the app's own .qm and Qt's, for ``language``; English needs none."""
    translators = []
    if language == "en":
        return translators
    sources = [
        (f"callhelper_{language}", str(resources_dir() / "i18n")),
        (f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
    ]
    for name, folder in sources:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            translators.append(translator)
        else:
            log.warning("no translation %s in %s", name, folder)
    return translators


def playbook_catalog(paths: Paths) -> PlaybookCatalog:
    """The bundled playbooks, overridden or extended by the user's own folder."""
    return PlaybookCatalog([resources_dir() / "playbooks", paths.config_dir / "playbooks"])


def demand_rules() -> DemandRules:
    return load_rules(resources_dir() / "rules" / "demands.toml")


class GuiThreadCollector(QObject):
    """Python's collector of cyclic garbage runs on whichever thread happens to allocate when
    its thresholds trip, and the store's worker allocates the most: a Qt object it frees
    there is destroyed on the wrong thread, which can crash the app. So automatic collection
    is off while a window runs, and the GUI thread collects instead, checking a few times a
    second whether the thresholds were passed, as the collector itself would."""

    INTERVAL_MS = 250

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start(self.INTERVAL_MS)
        parent.destroyed.connect(gc.enable)

    def collect_if_due(self) -> None:
        counts = gc.get_count()
        if counts[0] < self._thresholds[0]:
            return
        generation = 2 if counts[2] >= self._thresholds[2] else \
            1 if counts[1] >= self._thresholds[1] else 0
        gc.collect(generation)


def freeze_start_up_when_ready(window) -> None:
    """What start-up made (modules, the store's engine, the window) lives as long as the app:
    once the window is ready it is kept out of every later collection, so that a full one on
    the GUI thread stays short while the agent types."""
    window.ready.connect(gc.freeze)


def collect_garbage_on_the_gui_thread(app: QApplication) -> None:
    """Once per application (see GuiThreadCollector)."""
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    collect_garbage_on_the_gui_thread(app)
    app.setApplicationName("CallHelper")
    app.setOrganizationName("CallHelper")
    app.setApplicationDisplayName("CallHelper")
    return app


def build_call_window(paths: Paths, settings: Settings, clock: Clock | None = None):
    """The call window with its own store worker; used by ``run`` and by the tests."""
    from callhelper.store.startup import StartupOpener
    from callhelper.ui.call_window import CallWindow
    from callhelper.ui.store_client import StoreClient

    clock = clock or SystemClock()
    opener = StartupOpener(paths.capture_url, paths.backup_dir, clock.now)
    store = StoreClient(paths.capture_url, opener=opener)  # team mode: shipped (store/sync.py)
    return CallWindow(paths, settings, store, playbook_catalog(paths), demand_rules(), clock,
                      ui_language(settings), opener)


def close_on_termination(app: QApplication) -> None:
    """SIGINT and SIGTERM close the windows as the user would, so nothing is lost.

    Python handles signals only when it runs, so a timer wakes it a few times a second. The
    handler runs between any two lines of whatever Python code is running, so it only asks
    the event loop to close the windows once that code has finished: closing in the middle
    of, say, the window's handling of its freshly opened database would leave that handling
    to go on with a closed store.
    """
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number,
                      lambda *_: QTimer.singleShot(0, app, app.closeAllWindows))
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(250)


def run(paths: Paths, settings: Settings, command: Command | None = None) -> int:
    """The call window, once per user and database: if one runs already, ``command`` goes
    to it and this returns at once."""
    from callhelper.channel import address
    from callhelper.ui.instance import claim, send

    command = command or Command(Action.SHOW)
    from callhelper.launcher import launch_answer

    name = address(paths.capture_url)  # one window per user and file it writes to
    reply = send(name, command)
    if reply is not None:
        return launch_answer(f"callhelper call {command.action}", reply)
    app = create_application()
    shown = []
    server = claim(paths.capture_url, command,
                   lambda: shown[0].status() if shown else {"ready": False})
    if server is None:
        return 0
    close_on_termination(app)
    install_translators(app, ui_language(settings))
    window = build_call_window(paths, settings)
    shown.append(window)
    server.setParent(window)
    server.command.connect(window.handle_command)
    freeze_start_up_when_ready(window)
    window.show()
    window.handle_command(command)
    window.start_cti()
    return app.exec()


def run_review(paths: Paths, settings: Settings, files, server: str | None = None) -> int:
    """``callhelper review FILE…``: the supervisor's review on its own, of the files and of
    the team's server (a database URL) if one is given."""
    from PySide6.QtCore import QSettings

    from callhelper.ui.review_window import ReviewWindow

    app = create_application()
    close_on_termination(app)
    install_translators(app, ui_language(settings))
    state = QSettings(str(paths.config_dir / "window.ini"), QSettings.Format.IniFormat)
    window = ReviewWindow(list(files), playbook_catalog(paths), demand_rules(),
                          ui_language(settings), state, SystemClock(), server=server)
    window.show()
    return app.exec()
