"""What a captured statement says about the customer's demands (DOMAIN.md §3).

Two outcomes, kept apart on purpose:
- **flags**: a manner unacceptable whatever the demand (threats, insults, a kneeling
  apology, …) — the harassment evidence a supervisor needs;
- **requests**: demands whose validity the supervisor must check (exchange, refund,
  compensation, apology, visit, a superior) — never shown as harassment.

The categories and their patterns are data (resources/rules/demands.toml), so a company
can extend them. Statements are normalised before matching so that full- and half-width
forms, katakana and hiragana, spacing and elongations do not matter; matches are reported
as spans of the original text.

The same words also occur where nobody demands anything: refused (「土下座なんていい」),
quoted (「『どうなっても知らない』って言われた」) or said of oneself (「私がバカでした」).
The rules' ``[[context]]`` tables describe such surroundings; a match in one of them does
not count, and the next match of the category is tried.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from callhelper.core.pii import mask_card_numbers
from callhelper.core.playbook import Localized
from callhelper.core.text import storable_text

FLAG = "flag"
REQUEST = "request"
_KATAKANA = range(0x30A1, 0x30F7)
_COMBINING_VOICE_MARKS = ("\u3099", "\u309a")
_LONG_VOWEL_MARKS = frozenset("ー~〜")
_SMALL_VOWELS = {"ぁ": "あ", "ぃ": "い", "ぅ": "う", "ぇ": "え", "ぉ": "お"}
_HIRAGANA = range(0x3041, 0x3097)


class RulesError(ValueError):
    """A rules file that cannot be used."""


@dataclass(frozen=True)
class Match:
    category: str
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        return {"category": self.category, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Analysis:
    """What capture does to a statement: the text as stored, its flags and requests, and
    how many card numbers were masked and characters replaced (core/text.py)."""

    text: str
    flags: tuple[Match, ...] = ()
    requests: tuple[Match, ...] = ()
    masked_cards: int = 0
    replaced: int = 0

    @property
    def flag_categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(match.category for match in self.flags))

    @property
    def request_categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(match.category for match in self.requests))

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text, "flags": [m.as_dict() for m in self.flags],
                "requests": [m.as_dict() for m in self.requests]}


@dataclass(frozen=True)
class _Entry:
    patterns: tuple[re.Pattern[str], ...]
    requires: tuple[re.Pattern[str], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()
    #: All the patterns in one expression: one search tells whether any can match.
    any_pattern: re.Pattern[str] = re.compile(r"(?!)")


@dataclass(frozen=True)
class Context:
    """Surroundings that cancel a match: text right ``before`` it or right ``after`` it, or
    being inside a pair of ``brackets``; for the listed ``categories`` only, or all."""

    before: tuple[re.Pattern[str], ...] = ()
    after: tuple[re.Pattern[str], ...] = ()
    brackets: tuple[tuple[str, str], ...] = ()
    categories: frozenset[str] = frozenset()

    def cancels(self, category_id: str, normal: str, start: int, end: int) -> bool:
        if self.categories and category_id not in self.categories:
            return False
        return (any(p.search(normal, 0, start) for p in self.before)
                or any(p.match(normal, end) for p in self.after)
                or any(_inside(normal, start, opening, closing)
                       for opening, closing in self.brackets))


def _inside(normal: str, start: int, opening: str, closing: str) -> bool:
    before = normal[:start]
    if opening == closing:
        return before.count(opening) % 2 == 1 and closing in normal[start:]
    return before.rfind(opening) > before.rfind(closing)


@dataclass(frozen=True)
class Category:
    id: str
    kind: str
    label: Localized
    entries: tuple[_Entry, ...] = field(default=())


@dataclass(frozen=True)
class DemandRules:
    categories: tuple[Category, ...]
    contexts: tuple[Context, ...] = ()

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def label(self, category_id: str, language: str) -> str:
        category = self.category(category_id)
        return category.label.get(language) if category else category_id


def load_rules(path: Path) -> DemandRules:
    """The rules of ``path``. Compiling their patterns takes a tenth of a second or more, so
    the same text is compiled once (the rules are immutable and shared)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: {exc}") from exc
    return _rules_of(str(path), text)


@functools.lru_cache(maxsize=8)
def _rules_of(path: str, text: str) -> DemandRules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: {exc}") from exc
    categories = []
    for index, raw in enumerate(data.get("category", [])):
        where = f"{path}: category {index + 1}"
        category_id = raw.get("id")
        kind = raw.get("kind")
        if not isinstance(category_id, str) or kind not in (FLAG, REQUEST):
            raise RulesError(f"{where}: needs an 'id' and a kind of 'flag' or 'request'")
        entries = [_entry(raw, where)] if raw.get("patterns") else []
        entries += [_entry(extra, where) for extra in raw.get("entry", [])]
        if not entries:
            raise RulesError(f"{where} ({category_id}): no patterns")
        categories.append(Category(category_id, kind, Localized(dict(raw.get("label", {}))),
                                   tuple(entries)))
    if not categories:
        raise RulesError(f"{path}: no [[category]] tables")
    contexts = [_context(raw, f"{path}: context {index + 1}")
                for index, raw in enumerate(data.get("context", []))]
    unknown = {c for context in contexts for c in context.categories} - {
        category.id for category in categories}
    if unknown:
        raise RulesError(f"{path}: a [[context]] names unknown categories: "
                         f"{', '.join(sorted(unknown))}")
    return DemandRules(tuple(categories), tuple(contexts))


def _compile_all(raw: dict, key: str, where: str) -> tuple[re.Pattern[str], ...]:
    patterns = raw.get(key, [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise RulesError(f"{where}: '{key}' must be a list of strings")
    try:
        return tuple(re.compile(normalize(p)[0]) for p in patterns)
    except re.error as exc:
        raise RulesError(f"{where}: bad pattern in '{key}': {exc}") from exc


def _entry(raw: dict, where: str) -> _Entry:
    patterns, requires, unless = (_compile_all(raw, key, where)
                                  for key in ("patterns", "requires", "unless"))
    return _Entry(patterns, requires, unless,
                  re.compile("|".join(f"(?:{p.pattern})" for p in patterns) or r"(?!)"))


def _context(raw: dict, where: str) -> Context:
    brackets = raw.get("brackets", [])
    pairs = [normalize(pair)[0] if isinstance(pair, str) else "" for pair in
             (brackets if isinstance(brackets, list) else [""])]
    if not all(len(pair) == 2 for pair in pairs):
        raise RulesError(f"{where}: 'brackets' must be a list of two-character strings")
    categories = raw.get("categories", [])
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise RulesError(f"{where}: 'categories' must be a list of category ids")
    before = tuple(re.compile(f"(?:{p.pattern})$") for p in _compile_all(raw, "before", where))
    return Context(before, _compile_all(raw, "after", where),
                   tuple((pair[0], pair[1]) for pair in pairs), frozenset(categories))


def _to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if ord(c) in _KATAKANA else c for c in text)


def normalize(text: str) -> tuple[str, list[int], list[int]]:
    """The form patterns are matched against, and for each of its characters where in
    ``text`` it starts and ends.

    NFKC unifies full- and half-width forms (a half-width voiced mark joins its kana when
    they combine), case is folded, katakana become hiragana, white space and long-vowel
    marks are dropped, and a small vowel becomes a full one after kana and is dropped
    after anything else, so that spoken elongations meet the plain word: 「ばーか」 is
    ばか, 「てめぇ」 てめえ, 「じゃけぇ」 じゃけえ, 「火ぃつけ」 火つけ.
    """
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char).casefold():
            piece = _to_hiragana(piece)
            if piece in _SMALL_VOWELS:
                if not (chars and ord(chars[-1][-1]) in _HIRAGANA):
                    continue
                piece = _SMALL_VOWELS[piece]
            if piece.isspace() or piece in _LONG_VOWEL_MARKS:
                continue
            if piece in _COMBINING_VOICE_MARKS and chars:
                combined = unicodedata.normalize("NFC", chars[-1] + piece)
                if len(combined) == 1:
                    chars[-1] = combined
                    ends[-1] = index + 1
                    continue
            chars.append(piece)
            starts.append(index)
            ends.append(index + 1)
    return "".join(chars), starts, ends


def analyze(text: str, rules: DemandRules) -> Analysis:
    """Make the text storable, mask card numbers, then find flags and requests in what
    would be stored."""
    storable, replaced = storable_text(text)
    masked, masked_cards = mask_card_numbers(storable)
    normal, starts, ends = normalize(masked)
    flags: list[Match] = []
    requests: list[Match] = []
    for category in rules.categories:
        found = _first_match(category, normal, rules.contexts)
        if found is not None:
            start, end = starts[found.start()], ends[found.end() - 1]
            (flags if category.kind == FLAG else requests).append(
                Match(category.id, start, end))
    return Analysis(masked, tuple(flags), tuple(requests), masked_cards, replaced)


def _first_match(category: Category, normal: str,
                 contexts: tuple[Context, ...]) -> re.Match[str] | None:
    """The first match of the category's first entry that applies, which no context
    cancels."""
    for entry in category.entries:
        if not entry.any_pattern.search(normal):
            continue
        if any(p.search(normal) for p in entry.unless):
            continue
        if entry.requires and not any(p.search(normal) for p in entry.requires):
            continue
        for pattern in entry.patterns:
            for found in pattern.finditer(normal):
                if found.end() > found.start() and not any(
                        context.cancels(category.id, normal, found.start(), found.end())
                        for context in contexts):
                    return found
    return None
