"""Start-up of the GUI's windows: the call window (``callhelper``) with its store worker,
once per user and database, and the supervisor's review on its own (``callhelper review``).
What they need that builds no widget is app/bootstrap.py.
"""

from __future__ import annotations

import gc

from callhelper.app.bootstrap import (FirstPaint, StartupOpenerLater, close_on_termination,
                                      create_application, demand_rules, install_translators,
                                      playbook_catalog, report_modules_at_first_paint,
                                      rules_file, ui_language)
from callhelper.config import Paths, Settings
from callhelper.core.clock import Clock, SystemClock
from callhelper.core.commands import Action, Command
from callhelper.core.rules_loading import RulesLoading


def build_call_window(paths: Paths, settings: Settings, clock: Clock | None = None,
                      window_first: bool = False):
    """The call window with its own store worker; used by ``run`` and by the tests.
    ``window_first``: the window is built as far as it shows between calls, and the rest of
    it, the store's worker and the rules' compilation wait for ``after_first_paint(window)``
    (``run`` calls it once the window has painted); otherwise all is done at once."""
    from callhelper.app.store_client import StoreClient
    from callhelper.ui.call_window import CallWindow

    clock = clock or SystemClock()
    opener = StartupOpenerLater(paths.capture_url, paths.backup_dir, clock.now)
    store = StoreClient(paths.capture_url, opener=opener,  # team mode: shipped (store/sync.py)
                        start=not window_first)
    rules = RulesLoading(rules_file())
    if not window_first:
        rules.start()
    window = CallWindow(paths, settings, store, playbook_catalog(paths), rules, clock,
                        ui_language(settings), opener, complete=not window_first)
    window.start_rules = rules.start
    return window


def after_first_paint(window, claimed=None) -> None:
    """The window is on screen: the rest of it is built (the keys typed meanwhile are
    handled next, in order); it serves the single-instance channel it ``claimed`` (if
    given: app/instance.py); the rules compile, the store's worker loads the storage stack
    and opens the database (the window's ``ready`` follows); and the CTI endpoint starts if
    the settings ask for it."""
    report_modules_at_first_paint()
    window.complete()
    if claimed is not None:
        from callhelper.app.instance_server import serve

        server = serve(claimed, window.status, window)
        server.command.connect(window.handle_command)
    window.start_rules()
    window.controller.store.start()
    window.start_cti()


def freeze_start_up_when_ready(window) -> None:
    """What start-up made (modules, the store's engine, the window) lives as long as the app:
    once the window is ready it is kept out of every later collection, so that a full one on
    the GUI thread stays short while the agent types."""
    window.ready.connect(gc.freeze)


def run(paths: Paths, settings: Settings, command: Command | None = None) -> int:
    """The call window, once per user and database: if one runs already, ``command`` goes
    to it and this returns at once."""
    from callhelper.app.instance import claim, send
    from callhelper.channel import address, launch_answer

    command = command or Command(Action.SHOW)
    name = address(paths.capture_url)  # one window per user and file it writes to
    reply = send(name, command)
    if reply is not None:
        return launch_answer(f"callhelper call {command.action}", reply)
    claimed = claim(paths.capture_url, command)
    if claimed is None:
        return 0
    app = create_application()
    close_on_termination(app)
    install_translators(app, ui_language(settings))
    window = build_call_window(paths, settings, window_first=True)
    freeze_start_up_when_ready(window)
    FirstPaint(window, lambda: after_first_paint(window, claimed))
    window.show()
    window.handle_command(command)
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


def run_board(settings: Settings, server: str, supervisor: str) -> int:
    """``callhelper board``: the supervisors' board of the team's server (ui/board_window.py),
    for the login ``supervisor``."""
    from callhelper.ui.board_window import BoardWindow

    app = create_application()
    close_on_termination(app)
    install_translators(app, ui_language(settings))
    window = BoardWindow(server, supervisor)
    window.show()
    return app.exec()
