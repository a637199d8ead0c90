"""What a captured statement says about the customer's demands (docs/demands.md).

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

Patterns fitted to sentences miss other ways of saying the same thing, so the rules may name
a model (core/model.py, a ``[model]`` table) learnt from labelled statements. A category is
then given when a pattern finds it and the model gives it at least ``veto``, or when the
model alone is at least ``alone`` sure of it. The model alone gives no flag to a statement
that reads more as a request (「会社に来てください」 is a visit asked for, not a summons), a
second flag beside one a pattern found only when at least ``also`` sure, and never a
category whose every match a context cancelled; it has no say on statements it knows too
little of (English, say); and a ``trusted`` entry (a company's own phrase the model never
saw) is never overruled.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from callhelper.core.model import CategoryModel, ModelError, Opinion, load_model
from callhelper.core.pii import mask_card_numbers
from callhelper.core.playbook import Localized
from callhelper.core.text import storable_text

log = logging.getLogger(__name__)

#: The model has a say only on statements most of whose n-grams it learnt from (not, say,
#: on English, or on forms the normalisation cannot unify).
MODEL_COVERAGE = 0.6
#: Nor does it give a category alone to a few characters (「最後の一言」), where one word
#: would decide.
MODEL_ALONE_LENGTH = 6

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
    trusted: bool = False
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
    #: Whether the rules' model has a say on this category.
    modelled: bool = True


@dataclass(frozen=True)
class ModelUse:
    """Where the rules' model is and how sure it must be (see the module's docstring)."""

    path: Path
    alone: float
    veto: float
    also: float

    def model(self) -> CategoryModel | None:
        """Loaded on first use (not when the rules are), so that nothing of it is read
        before a statement is analysed; the same file is read once per process. A model
        that cannot be read leaves the patterns alone to decide, with a warning in the log,
        rather than losing the statement."""
        try:
            return load_model(self.path)
        except ModelError as exc:
            _warn_once(f"the demand model is not used: {exc}")
            return None


@functools.lru_cache(maxsize=16)
def _warn_once(message: str) -> None:
    log.warning("%s", message)


@dataclass(frozen=True)
class DemandRules:
    categories: tuple[Category, ...]
    contexts: tuple[Context, ...] = ()
    model: ModelUse | None = None

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def prepare(self) -> None:
        """Read the model ahead of the first statement, so that its first note does not
        wait for it (the store's worker calls this once the database is open)."""
        if self.model is not None:
            self.model.model()

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
        modelled = raw.get("model", True)
        if not isinstance(modelled, bool):
            raise RulesError(f"{where} ({category_id}): 'model' must be true or false")
        categories.append(Category(category_id, kind, Localized(dict(raw.get("label", {}))),
                                   tuple(entries), modelled))
    if not categories:
        raise RulesError(f"{path}: no [[category]] tables")
    contexts = [_context(raw, f"{path}: context {index + 1}")
                for index, raw in enumerate(data.get("context", []))]
    unknown = {c for context in contexts for c in context.categories} - {
        category.id for category in categories}
    if unknown:
        raise RulesError(f"{path}: a [[context]] names unknown categories: "
                         f"{', '.join(sorted(unknown))}")
    return DemandRules(tuple(categories), tuple(contexts), _model_use(path, data))


def _model_use(path: str, data: dict) -> ModelUse | None:
    raw = data.get("model")
    if raw is None:
        return None
    where = f"{path}: [model]"
    if not isinstance(raw, dict) or not isinstance(raw.get("file"), str):
        raise RulesError(f"{where} needs a 'file' (beside the rules file)")
    limits = [raw.get("alone", 0.5), raw.get("veto", 0.2), raw.get("also", 0.8)]
    if not all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x <= 1
               for x in limits):
        raise RulesError(f"{where}: 'alone', 'veto' and 'also' must be numbers from 0 to 1")
    return ModelUse(Path(path).parent / raw["file"], *(float(x) for x in limits))


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
    trusted = raw.get("trusted", False)
    if not isinstance(trusted, bool):
        raise RulesError(f"{where}: 'trusted' must be true or false")
    return _Entry(patterns, requires, unless, trusted,
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
    found = {category.id: _first_match(category.id, category.entries, normal, rules.contexts)
             for category in rules.categories}
    spans = {category.id: (found[category.id][0].start(), found[category.id][0].end())
             for category in rules.categories if found[category.id][0] is not None}
    opinion = _opinion(rules, normal)
    if opinion is not None:
        spans = _weighed(rules, normal, found, opinion)
    flags: list[Match] = []
    requests: list[Match] = []
    for category in rules.categories:
        if category.id in spans:
            start, end = spans[category.id]
            (flags if category.kind == FLAG else requests).append(
                Match(category.id, starts[start], ends[end - 1]))
    return Analysis(masked, tuple(flags), tuple(requests), masked_cards, replaced)


def _opinion(rules: DemandRules, normal: str) -> Opinion | None:
    model = rules.model.model() if rules.model is not None and normal else None
    opinion = model.opinion(normal) if model is not None else None
    return opinion if opinion is not None and opinion.known >= MODEL_COVERAGE else None


def _weighed(rules: DemandRules, normal: str, found: dict, opinion: Opinion
             ) -> dict[str, tuple[int, int]]:
    """The spans of the categories given once the model has had its say (the module's
    docstring)."""
    use = rules.model
    probability = {category.id: opinion.probabilities.get(category.id)
                   for category in rules.categories if category.modelled}
    spans: dict[str, tuple[int, int]] = {}
    for category in rules.categories:
        match, _, _ = found[category.id]
        chance = probability.get(category.id)
        if match is not None and chance is not None and chance < use.veto:
            trusted = tuple(entry for entry in category.entries if entry.trusted)
            match = _first_match(category.id, trusted, normal, rules.contexts)[0]
        if match is not None:
            spans[category.id] = match.start(), match.end()
    strongest_request = max((chance for category in rules.categories
                             if category.kind == REQUEST
                             and (chance := probability.get(category.id)) is not None),
                            default=0.0)
    flagged = any(rules.category(c).kind == FLAG for c in spans)
    for category in rules.categories:
        match, _, cancelled = found[category.id]
        chance = probability.get(category.id)
        if (match is not None or cancelled or chance is None or chance < use.alone
                or len(normal) < MODEL_ALONE_LENGTH):
            continue
        if category.kind == FLAG and (chance < strongest_request
                                      or (flagged and chance < use.also)):
            continue
        gram = opinion.strongest.get(category.id, "")
        start = normal.find(gram) if gram else -1
        spans[category.id] = (start, start + len(gram)) if start >= 0 else (0, len(normal))
    return spans


def _first_match(category_id: str, entries: tuple[_Entry, ...], normal: str,
                 contexts: tuple[Context, ...]
                 ) -> tuple[re.Match[str] | None, _Entry | None, bool]:
    """The first match of the first of the category's ``entries`` that applies which no
    context cancels, with its entry; and whether a context cancelled a match."""
    cancelled = False
    for entry in entries:
        if not entry.any_pattern.search(normal):
            continue
        if any(p.search(normal) for p in entry.unless):
            continue
        if entry.requires and not any(p.search(normal) for p in entry.requires):
            continue
        for pattern in entry.patterns:
            for found in pattern.finditer(normal):
                if found.end() <= found.start():
                    continue
                if any(context.cancels(category_id, normal, found.start(), found.end())
                       for context in contexts):
                    cancelled = True
                    continue
                return found, entry, cancelled
    return None, None, cancelled
