"""Cyclic garbage is collected on the GUI thread (app/bootstrap.py, GuiThreadCollector): a Qt
object freed by a store worker's collection would be destroyed on the wrong thread and could
crash the app."""

import gc
import threading
import weakref

from callhelper.app.bootstrap import GuiThreadCollector


def test_automatic_collection_is_off_and_the_gui_thread_collects_cycles(qtbot, qapp):
    assert qapp.findChild(GuiThreadCollector) is not None
    assert not gc.isenabled()
    freed_on = []

    class Cycle:
        pass

    cycle = Cycle()
    cycle.itself = cycle
    weakref.finalize(cycle, lambda: freed_on.append(threading.current_thread()))
    del cycle

    def allocate_on_a_worker():  # as the store's worker allocates while it works
        kept = [[] for _ in range(5 * gc.get_threshold()[0])]
        return len(kept)

    worker = threading.Thread(target=allocate_on_a_worker)
    worker.start()
    worker.join()
    assert not freed_on, "the worker's allocations collected nothing"
    kept = [[] for _ in range(2 * gc.get_threshold()[0])]
    qtbot.waitUntil(lambda: bool(freed_on), timeout=5000)
    assert freed_on == [threading.main_thread()]
    assert kept
