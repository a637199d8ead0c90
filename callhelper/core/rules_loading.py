"""The demand rules, compiled on a thread of their own (core/flags.py compiles them).

The call window is shown before core/flags.py and the demand model are loaded: this module
loads them on the thread, once ``start()`` is called, so neither delays the first paint.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from callhelper.core.flags import DemandRules, RulesError

log = logging.getLogger(__name__)


class RulesLoading:
    """The rules of ``path``, compiled on a thread of their own once ``start()`` is called
    (the call window's: after it is shown, so that the compilation does not delay it).
    Stands for the DemandRules: reading any of their attributes waits until they are
    compiled (compiling them there and then if the thread has not been started), and raises
    the RulesError if they cannot be. A note saved before is analysed when it is written,
    on the store's worker, which waits for them likewise."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._started = False
        self._rules: DemandRules | None = None
        self._error: RulesError | None = None

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="rules", daemon=True).start()

    def _load(self) -> None:
        from callhelper.core.flags import RulesError, load_rules

        try:
            self._rules = load_rules(self._path)
        except RulesError as exc:
            log.error("the demand rules cannot be used: %s", exc)
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> DemandRules:
        with self._lock:
            here = not self._started
            self._started = True
        if here:
            self._load()
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._rules

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.result(), name)
