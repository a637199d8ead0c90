"""Realistic sample data for trying the app, for screenshots and for the benchmarks.

Everything comes from one ``random.Random(seed)``, so the same seed gives the same data.
The generator yields plain records; the store writes them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from callhelper.core.case import CaseStatus, Level, NoteKind
from callhelper.core.flag_review import FlagDecision, FlagState

SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田",
            "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水"]
GIVEN_NAMES = ["太郎", "花子", "健一", "美咲", "翔太", "陽子", "大輔", "由美", "誠", "恵子", "拓也",
               "真由美", "浩二", "明美", "直樹"]
COMPANIES = ["", "", "", "株式会社ヤマダ商事", "有限会社サトウ工業", "合同会社ミライ設計",
             "株式会社グリーン物流", "医療法人さくら会", "株式会社東和システム"]
AGENTS = ["鈴木", "佐藤", "高橋", "田中", "伊藤", "渡辺", "中村", "小林"]
CHANNELS = ["", "", "電話", "メール", "電話(メールは見ない)", "SMS"]
UNAVAILABLE = ["", "", "水曜午後は不在", "平日10時〜12時は会議", "土日は不可", "夜間のみ可"]
PRODUCTS = ["プリンター", "ノートPC", "ルーター", "冷蔵庫", "電子レンジ", "スマートフォン", "掃除機",
            "エアコン", "炊飯器", "モニター"]
PROBLEMS = [
    ("電源が入らない", "電源ランプが点灯しない"),
    ("配送が遅れている", "予定日を3日過ぎても届かない"),
    ("初期不良", "開封時に画面が割れていた"),
    ("前回の対応への不満", "折り返しの約束が守られなかった"),
    ("請求金額の誤り", "二重に請求されている"),
    ("異音がする", "使用中に大きな異音"),
    ("設定方法が分からない", "説明書の手順で接続できない"),
    ("部品の欠品", "付属のケーブルが入っていない"),
]
QUOTES = [
    "先週買ったばかりなのに{problem}",
    "明日の会議で使うのに、本当に困る",
    "何度も電話しているのに、全然つながらない",
    "前の担当者は折り返すと言ったのに、連絡が来なかった",
    "{product}が使えないと仕事にならない",
    "説明書の通りにやっても動かない",
    "もう二度と買わない",
    "どうしてこんなことになるんですか",
    "子どもが使うものなので心配です",
    "返金してほしい",
    "新しいものと交換してください",
    "上司を出してください",
    "担当の方のお名前を伺ってもよろしいですか",
]
HARASSMENT = [
    "誠意を見せろ、商品券くらい持ってこい",
    "SNSに晒してやるからな",
    "土下座しろ",
    "納得するまで電話は切らないからな",
    "お前じゃ話にならない、この役立たずが",
    "慰謝料を払え",
]
#: Words with no demand in them, shouted: the agent hears intimidation, the detector reads words.
SHOUTED = [
    "(机を叩く音)早くしろ!",
    "(怒鳴り声で)責任者はどこだ!",
    "いつまで待たせるんだ!(怒鳴り声)",
    "(机を叩きながら)どうしてくれるんだ",
]
SHOUTED_CATEGORY = "intimidation"
FACTS = ["{date}購入・店頭受取", "{date}注文・宅配", "シリアル番号の下4桁 {digits}",
         "保証期間内", "同じ症状で前回も入電あり", "再起動しても改善せず"]
PROMISES = ["本日中に折り返し連絡", "交換品の発送日を{date}までに連絡", "修理の見積もりを送付",
            "担当部署に確認のうえ明日午前に連絡"]
FIXES = ["交換品を発送", "返金手続きを案内", "修理を手配", "設定方法を案内し解決", "請求を訂正"]
PREVENTIONS = ["", "出荷前検査に通電確認を追加", "折り返し予定を共有カレンダーで管理",
               "説明書の接続手順を図解に改訂", "請求処理に二重計上のチェックを追加"]


@dataclass
class DemoNote:
    kind: NoteKind
    text: str
    offset_ms: int
    due_at: datetime | None = None
    #: The flag category an agent hears in words that carry none (a shout, a banged desk).
    heard: str = ""


@dataclass
class DemoContact:
    agent: str
    started_at: datetime
    talk_seconds: float
    notes: list[DemoNote] = field(default_factory=list)
    ticked: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class DemoCustomer:
    name: str
    company: str
    phone: str
    preferred_channel: str
    unavailable: str
    note: str


@dataclass
class DemoCase:
    customer_index: int
    subject: str
    status: CaseStatus
    urgency: Level
    impact: Level
    fix: str
    prevention: str
    contacts: list[DemoContact]


STEP_IDS = ["limited-apology", "listen", "facts-impact", "contact-preferences", "supervisor",
            "solution", "apology-thanks"]


def demo_data(cases: int, seed: int, now: datetime) -> tuple[list[DemoCustomer],
                                                            Iterator[DemoCase]]:
    """Customers (about one for every three cases, so some call again) and the cases."""
    rng = random.Random(seed)
    customers = [_customer(rng) for _ in range(max(1, cases // 3))]
    return customers, (_case(rng, len(customers), now) for _ in range(cases))


def _customer(rng: random.Random) -> DemoCustomer:
    mobile = rng.random() < 0.5
    phone = (f"090-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}" if mobile
             else f"03-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}")
    return DemoCustomer(f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)}",
                        rng.choice(COMPANIES), phone, rng.choice(CHANNELS),
                        rng.choice(UNAVAILABLE), rng.choice(["", "", "", "早口だと聞き取りにくいとのこと"]))


def _case(rng: random.Random, customers: int, now: datetime) -> DemoCase:
    product = rng.choice(PRODUCTS)
    problem, detail = rng.choice(PROBLEMS)
    opened = now - timedelta(days=rng.random() * 180, minutes=rng.randrange(600))
    contacts = []
    for number in range(rng.choice([1, 1, 1, 2, 2, 3])):
        started = opened + timedelta(days=number * rng.uniform(0.5, 4))
        if started > now:
            started = now - timedelta(minutes=rng.randrange(60, 600))
        contacts.append(_contact(rng, started, product, f"{product}の{detail}"))
    resolved = rng.random() < 0.7
    return DemoCase(
        rng.randrange(customers), f"{product}: {problem}",
        CaseStatus.RESOLVED if resolved else rng.choice([CaseStatus.OPEN,
                                                         CaseStatus.WAITING_CALLBACK]),
        rng.choice(list(Level)), rng.choice(list(Level)),
        rng.choice(FIXES) if resolved else "", rng.choice(PREVENTIONS), contacts)


def _contact(rng: random.Random, started: datetime, product: str, problem: str) -> DemoContact:
    talk = rng.uniform(180, 1500)
    contact = DemoContact(rng.choice(AGENTS), started, talk)
    offset = 0
    for _ in range(rng.randrange(3, 10)):
        offset += rng.randrange(15_000, 120_000)
        roll = rng.random()
        date = (started - timedelta(days=rng.randrange(1, 30))).strftime("%m/%d")
        if roll < 0.55:
            text = rng.choice(QUOTES).format(problem=problem, product=product)
            contact.notes.append(DemoNote(NoteKind.QUOTE, text, offset))
        elif roll < 0.6:
            contact.notes.append(DemoNote(NoteKind.QUOTE, rng.choice(HARASSMENT), offset))
        elif roll < 0.61:
            contact.notes.append(DemoNote(NoteKind.QUOTE, rng.choice(SHOUTED), offset,
                                          heard=SHOUTED_CATEGORY))
        elif roll < 0.85:
            text = rng.choice(FACTS).format(date=date, digits=f"{rng.randrange(10000):04d}")
            contact.notes.append(DemoNote(NoteKind.FACT, text, offset))
        else:
            due = started + timedelta(hours=rng.choice([2, 4, 24, 48]))
            text = rng.choice(PROMISES).format(date=due.strftime("%m/%d"))
            contact.notes.append(DemoNote(NoteKind.PROMISE, text, offset, due))
    elapsed = 0
    for step in STEP_IDS[:rng.randrange(3, len(STEP_IDS) + 1)]:
        elapsed += rng.randrange(20_000, 200_000)
        contact.ticked.append((step, elapsed))
    return contact


class DemoReviewer:
    """How the demo's agents decide on flags: of the detector's suspicions about 80 % are
    confirmed, 15 % dismissed and the rest left unreviewed; a statement whose words carry
    no flag but whose tone does is flagged by hand.

    The decisions draw from a random sequence of their own (from the same seed), so the
    statements stay the same whatever the detector finds in them."""

    CONFIRMED = 0.80
    DISMISSED = 0.15

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"flag-review-{seed}")

    def decide(self, detected: tuple[str, ...], heard: str) -> list[FlagDecision]:
        """The decisions on a statement whose detected flags are ``detected``."""
        if not detected:
            return [FlagDecision(heard, FlagState.MANUAL)] if heard else []
        decisions = []
        for category in detected:
            roll = self._rng.random()
            if roll < self.CONFIRMED:
                decisions.append(FlagDecision(category, FlagState.CONFIRMED))
            elif roll < self.CONFIRMED + self.DISMISSED:
                decisions.append(FlagDecision(category, FlagState.DISMISSED))
        return decisions
