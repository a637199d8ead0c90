"""Draw the README's screenshots from the real window, in Japanese and English.

Usage: python docs/make_screenshots.py OUTPUT_FOLDER (run by `make screenshots`).
A sample call is played on a throw-away database with a clock the script moves.

Besides the two pictures of a call, the three moments of a call are drawn in Japanese at
the smallest and a large window size (``SIZES``): the ringing view of a caller with a long
history (``ringing-WxH.png``), a call in progress with flagged statements and a long banner
(``in-call-WxH.png``) and the wrap-up (``wrap-up-WxH.png``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from callhelper.config import Settings, resolve_paths  # noqa: E402
from callhelper.core.clock import ManualClock  # noqa: E402
from callhelper.core.commands import Action, Command  # noqa: E402
from callhelper.core.case import CaseStatus, Level, NoteKind, WrapUp  # noqa: E402
from callhelper.store import repository  # noqa: E402
from callhelper.store.engine import Store  # noqa: E402
from callhelper.store.repository import CustomerProfile, NewContact  # noqa: E402
from callhelper.app.bootstrap import (create_application, demand_rules,  # noqa: E402
                                      install_translators)
from callhelper.ui.start import build_call_window  # noqa: E402

HISTORY = {
    "ja": [("プリンター: 電源が入らない", "交換品の発送日を折り返し連絡", "佐藤")],
    "en": [("Printer: will not power on", "Call back with the shipping date of the replacement",
            "Sato")],
}
PROFILE = {
    "ja": CustomerProfile("山田 太郎", "株式会社ヤマダ商事", "電話(メールは見ない)", "水曜午後は不在"),
    "en": CustomerProfile("Taro Yamada", "Yamada Trading", "phone (never reads e-mail)",
                          "not on Wednesday afternoons"),
}

SAMPLE = {
    "ja": ("山田 太郎", "鈴木", ["先週買ったばかりなのに電源が入らない", "明日の会議で使うのに、本当に困る"],
           "11/15購入・店頭受取・電源ランプ点灯せず", "誠意を見せろ、商品券くらい持ってこい"),
    "en": ("Taro Yamada", "Suzuki", ["I only bought it last week and it won't turn on",
                                     "I need it for tomorrow's meeting, this is a real problem"],
           "Bought 11/15, picked up in store, power lamp stays off",
           "I want a refund, or I'll post this online"),
}


def pump(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for_notes(window, count: int) -> None:
    for _ in range(200):
        if window.notes_model.rowCount() >= count:
            return
        pump(25)
    raise RuntimeError("the sample notes were not saved")


SIZES = ((400, 700), (600, 1000))
#: A statement with several flags, for the call in progress: the banner grows long.
MORE_FLAGS = "SNSに晒すぞ。今すぐ土下座しろ"
#: The subjects of a regular caller's earlier calls, for the ringing view.
PAST_SUBJECTS = ["プリンター: 電源が入らない", "請求書の宛名変更", "インク残量の表示がおかしい",
                 "配送日の変更", "保証期間の確認", "給紙トレイの破損", "ドライバの入れ方",
                 "修理の進み具合", "返品の手順", "スキャナーの接続"]


def earlier_calls(paths, language: str, clock: ManualClock, more: int = 0) -> None:
    """Two earlier calls of the same customer, the last with a promise now overdue."""
    store = Store(paths.database_url)
    for days, (subject, promise, agent) in zip((9, 3), HISTORY[language] * 2):
        uid = f"earlier-{days}"
        started = clock.now() - timedelta(days=days)
        with store.unit_of_work() as session:
            repository.start_contact(session, NewContact(uid, agent, "complaint", 2, started,
                                                         "03-1234-5678"))
            if days == 3:
                note = repository.add_note(session, uid, f"{uid}-promise", NoteKind.PROMISE,
                                           promise, 60_000, agent, started, demand_rules())
                note.due_at = started + timedelta(days=1)
            repository.save_wrap_up(session, uid, WrapUp(
                subject, Level.HIGH, Level.MEDIUM, "", "",
                CaseStatus.WAITING_CALLBACK if days == 3 else CaseStatus.RESOLVED), agent, started)
            repository.update_customer(session, uid, PROFILE[language], started)
    with store.unit_of_work() as session:
        for number in range(more):  # a regular caller: many resolved calls before
            uid = f"earlier-old-{number}"
            started = clock.now() - timedelta(days=12 + 9 * number)
            repository.start_contact(session, NewContact(uid, ("佐藤", "鈴木", "高橋")[number % 3],
                                                         "complaint", 2, started,
                                                         "03-1234-5678"))
            repository.save_wrap_up(session, uid, WrapUp(
                PAST_SUBJECTS[number % len(PAST_SUBJECTS)], Level.LOW, Level.LOW, "", "",
                CaseStatus.RESOLVED), "佐藤", started)
    store.close()


def shoot(language: str, out: Path, app: QApplication) -> None:
    caller, agent, quotes, fact, last = SAMPLE[language]
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CALLHELPER_CONFIG_DIR"] = str(Path(folder) / "config")
        paths = resolve_paths(Path(folder) / "data")
        settings = Settings.for_paths(paths)
        settings.set("language", language)
        settings.set("agent_name", agent)
        translators = install_translators(app, language)
        clock = ManualClock(datetime.now(timezone.utc))
        earlier_calls(paths, language, clock)
        window = build_call_window(paths, settings, clock)
        window.resize(420, 720)
        window.show()
        pump(300)
        window.start_call("03-1234-5678", caller)
        pump(300)
        clock.advance(20)
        window.controller.toggle_step(0)
        clock.advance(15)
        for text in quotes:
            window.note_entry.setText(text)
            window.entry.submit()
            clock.advance(40)
        window.entry.kind_combo.setCurrentIndex(2)
        window.note_entry.setText(fact)
        window.entry.submit()
        clock.advance(130)
        window.controller.toggle_step(1)
        clock.advance(107)
        window.note_entry.setText(last)
        window.entry.submit()
        wait_for_notes(window, 4)
        window.refresh()
        window.grab().save(str(out / f"call-window-{language}.png"))
        window.close()
        for translator in translators:
            app.removeTranslator(translator)


def shoot_moments(out: Path, app: QApplication, size: tuple[int, int]) -> None:
    """The ringing view, a call with a flagged statement, and the wrap-up, in Japanese."""
    language = "ja"
    caller, agent, quotes, fact, last = SAMPLE[language]
    suffix = f"{size[0]}x{size[1]}"
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CALLHELPER_CONFIG_DIR"] = str(Path(folder) / "config")
        paths = resolve_paths(Path(folder) / "data")
        settings = Settings.for_paths(paths)
        settings.set("language", language)
        settings.set("agent_name", agent)
        translators = install_translators(app, language)
        clock = ManualClock(datetime.now(timezone.utc))
        earlier_calls(paths, language, clock, more=14)
        window = build_call_window(paths, settings, clock)
        window.resize(*size)
        window.show()
        pump(300)
        window.handle_command(Command(Action.INCOMING, "０３（１２３４）５６７８"))
        for _ in range(200):
            if window.caller_panel.contacts_model.rowCount():
                break
            pump(25)
        pump(200)
        window.grab().save(str(out / f"ringing-{suffix}.png"))
        window.start_call()
        pump(300)
        clock.advance(20)
        window.controller.toggle_step(0)
        clock.advance(15)
        for text in quotes:
            window.note_entry.setText(text)
            window.entry.submit()
            clock.advance(40)
        window.entry.kind_combo.setCurrentIndex(2)
        window.note_entry.setText(fact)
        window.entry.submit()
        clock.advance(130)
        window.controller.toggle_step(1)
        clock.advance(107)
        window.entry.kind_combo.setCurrentIndex(0)
        window.note_entry.setText(last)
        window.entry.submit()
        clock.advance(25)
        window.note_entry.setText(MORE_FLAGS)
        window.entry.submit()
        wait_for_notes(window, 5)
        window.refresh()
        pump(200)
        window.grab().save(str(out / f"in-call-{suffix}.png"))
        window.controller.end_call()
        pump(300)
        window.wrap_up.subject.setText("プリンター: 電源が入らない(交換品の発送待ち)")
        pump(100)
        window.grab().save(str(out / f"wrap-up-{suffix}.png"))
        window.close()
        for translator in translators:
            app.removeTranslator(translator)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    out.mkdir(parents=True, exist_ok=True)
    app = create_application()
    for language in SAMPLE:
        shoot(language, out, app)
    for size in SIZES:
        shoot_moments(out, app, size)


if __name__ == "__main__":
    main()
