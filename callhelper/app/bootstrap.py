"""What starts the GUI and builds no widget: the application object, its translations, the
shipped playbooks and rules, the store's opener made on the store's worker, the first paint
that lets the store start, the garbage collector kept on the GUI thread, and the close on
SIGINT and SIGTERM. ui/start.py builds the windows with them.

Window first: the call window is built and shown before the storage stack (SQLAlchemy,
SQLModel, the store's modules) is loaded; once it has painted, the store's worker starts,
loads them and opens the database, and the demand rules compile on a thread of their own.
Calls started and notes typed meanwhile wait, journalled, in the write queue
(docs/architecture.md, "Window first").
"""
from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTimer, QTranslator


def spare_pyside_the_source_scan() -> None:
    """Once PySide is loaded, it reads the source of every module imported after it, to know
    whether the module uses PySide (for ``from __feature__ import …``, PySide's opt-in
    snake_case and true_property, which CallHelper never uses); a window's start imports
    over a hundred, about 10 ms of reading. Their answers are given here ahead: CallHelper's
    own modules (by the package's files) and those loaded before PySide, which answer "no
    feature" whatever their source says as no module selects one. Done through PySide's
    table of modules, where other programs do the same; if a PySide release has no such
    table, nothing is done and the modules are read as before."""
    feature = sys.modules.get("PySide6.support.feature") or \
        sys.modules.get("shibokensupport.feature")
    table = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(table, dict):
        return
    for name in list(sys.modules):
        table.setdefault(name, -1)  # PySide's "ignore this module"
    package = Path(__file__).resolve().parent.parent
    for folder, folders, files in os.walk(package):
        folders[:] = [name for name in folders if name.isidentifier()]
        prefix = ".".join(("callhelper", *Path(folder).relative_to(package).parts))
        for file in files:
            if file.endswith(".py"):
                name = prefix if file == "__init__.py" else f"{prefix}.{file[:-3]}"
                table.setdefault(name, 0)  # PySide's "no feature"


spare_pyside_the_source_scan()

from callhelper.config import Paths, Settings, resources_dir  # noqa: E402 (after the above)
from callhelper.core.playbook import PlaybookCatalog  # noqa: E402

if TYPE_CHECKING:
    from callhelper.core.flags import DemandRules
    from PySide6.QtWidgets import QApplication, QWidget

log = logging.getLogger(__name__)
#: For the tests: a file that gets the names of the modules loaded when the call window
#: first painted, one a line, and ``PySide6.QtCore.Qt`` if Qt's namespace was made by then
#: (PySide makes the Python enums of all of it when it is first named: ~20 ms).
MODULES_AT_FIRST_PAINT = "CALLHELPER_MODULES_AT_FIRST_PAINT"
#: How long the store waits for the window's first paint before it starts anyway (a window
#: started hidden or minimised may not paint).
FIRST_PAINT_WAIT_MS = 1000


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
    from callhelper.core.flags import load_rules

    return load_rules(rules_file())


def rules_file() -> Path:
    return resources_dir() / "rules" / "demands.toml"


class StartupOpenerLater:
    """store/startup.py's StartupOpener, made where it is first called — on the store's
    worker, which opens the database — so that its module (and SQLAlchemy) is loaded there
    and not before the window shows. The window and the upkeep ask it, after the opening,
    what happened (``opened``, ``choose``, ``damage_found``)."""

    def __init__(self, url: str, backup_dir: Path, now: Callable) -> None:
        self._arguments = (url, backup_dir, now)
        self._lock = threading.Lock()
        self._opener = None

    def made(self):
        with self._lock:
            if self._opener is None:
                from callhelper.store.startup import StartupOpener

                self._opener = StartupOpener(*self._arguments)
            return self._opener

    def __call__(self):
        return self.made()()

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.made(), name)


class FirstPaint(QObject):
    """Calls ``then`` once, right after ``window`` first painted (when the event loop turns
    again: the window is on screen and takes keys), or after FIRST_PAINT_WAIT_MS if it does
    not paint. The window says when it paints with its ``painted`` signal (an event filter
    would have PySide build the enums of QEvent before the first paint)."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._then = then
        self._done = False
        window.painted.connect(self._painted)
        QTimer.singleShot(FIRST_PAINT_WAIT_MS, self, self._run)

    def _painted(self) -> None:
        if not self._done:
            QTimer.singleShot(0, self, self._run)

    def _run(self) -> None:
        if self._done:
            return
        self._done = True
        self._window.painted.disconnect(self._painted)
        self._then()


def report_modules_at_first_paint() -> None:
    """MODULES_AT_FIRST_PAINT: the tests' look at what the window needed to show."""
    target = os.environ.get(MODULES_AT_FIRST_PAINT)
    if target:
        names = set(sys.modules)
        if "Qt" in vars(sys.modules["PySide6.QtCore"]):
            names.add("PySide6.QtCore.Qt")
        Path(target).write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")


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


def collect_garbage_on_the_gui_thread(app: QApplication) -> None:
    """Once per application (see GuiThreadCollector). The collector is kept on the
    application object: ``findChild`` would make PySide build a dozen enums at start."""
    if getattr(app, "gui_thread_collector", None) is None:
        app.gui_thread_collector = GuiThreadCollector(app)


def create_application(argv: list[str] | None = None) -> QApplication:
    from PySide6.QtWidgets import QApplication  # here: the commands that translate need none

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    collect_garbage_on_the_gui_thread(app)
    app.setApplicationName("CallHelper")
    app.setOrganizationName("CallHelper")
    app.setApplicationDisplayName("CallHelper")
    return app


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
