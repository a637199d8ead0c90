"""Playbooks: the checklist of a kind of call, read from TOML.

A playbook is data, not code, so that a contact centre can adjust the flow
without a new release. Texts carry one entry per language (``ja``, ``en``);
the UI picks the agent's language and falls back to English, then to any.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FALLBACK_LANGUAGE = "en"
#: What a response asks of the agent, most urgent first (docs/playbooks.md):
#: ``supervisor_now`` — safety first, the supervisor at once; ``change_handler`` — a firm
#: warning, then another handler; ``warn`` — a warning, then end the call if it goes on;
#: ``limit`` — the company's time limit, then end the call; ``decline`` — acknowledge the
#: feeling, decline clearly; ``same_answer`` — the answer anyone gets; ``check`` — look at
#: the case before anything else.
RESPONSE_LEVELS = ("supervisor_now", "change_handler", "warn", "limit", "decline",
                   "same_answer", "check")
#: Levels at which a senior takes over for a reason other than the customer's anger.
SENIOR_LEVELS = ("supervisor_now", "change_handler")


class PlaybookError(ValueError):
    """A playbook file that cannot be used, with where and why."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Localized:
    """A text (or list of texts) in several languages."""

    values: dict[str, Any] = field(default_factory=dict)

    def get(self, language: str) -> Any:
        for key in (language, FALLBACK_LANGUAGE, *self.values):
            if key in self.values:
                return self.values[key]
        return ""


@dataclass(frozen=True)
class PlaybookStep:
    id: str
    title: Localized
    target_seconds: int
    say: Localized = field(default_factory=Localized)
    avoid: Localized = field(default_factory=Localized)
    done_when: Localized = field(default_factory=Localized)
    why: Localized = field(default_factory=Localized)


@dataclass(frozen=True)
class Phrasing:
    """A phrase not to use (NG) and what to say instead, shown in the steps named."""

    ng: Localized
    better: Localized
    steps: tuple[str, ...] = ()

    def applies_to(self, step_id: str) -> bool:
        return not self.steps or step_id in self.steps


@dataclass(frozen=True)
class EscalationRules:
    """When the window suggests handing the call to a senior (二次対応); ``not_by_reflex``
    is shown when the suggestion rests on the customer's anger alone, for a takeover on
    reflex teaches the customer that shouting works."""

    after_seconds: int | None = None
    on_flags: bool = True
    on_requests: tuple[str, ...] = ("superior",)
    repeat_calls: int | None = None
    repeat_days: int = 30
    not_by_reflex: Localized = field(default_factory=Localized)


@dataclass(frozen=True)
class Response:
    """What the agent does when a statement of one of the flag categories ``on`` appears,
    or one of the window's signals (``long_call``, ``repeat_calls``): the steps to take
    (``do``) and the words to say (``say``), at an urgency ``level`` (RESPONSE_LEVELS)."""

    name: str
    on: tuple[str, ...]
    level: str
    title: Localized
    say: Localized
    do: Localized = field(default_factory=Localized)

    @property
    def rank(self) -> int:
        return RESPONSE_LEVELS.index(self.level)


@dataclass(frozen=True)
class SeniorScript:
    """The senior's side of a takeover (二次対応), shown once the call is handed over."""

    title: Localized
    say: Localized
    do: Localized = field(default_factory=Localized)


@dataclass(frozen=True)
class Playbook:
    id: str
    version: int
    title: Localized
    steps: tuple[PlaybookStep, ...]
    call_limit_seconds: int | None = None
    phrasings: tuple[Phrasing, ...] = ()
    escalation: EscalationRules = field(default_factory=EscalationRules)
    responses: tuple[Response, ...] = ()
    senior: SeniorScript | None = None

    def phrasings_for(self, step_id: str) -> list[Phrasing]:
        return [phrasing for phrasing in self.phrasings if phrasing.applies_to(step_id)]

    def responses_for(self, signals: Iterable[str]) -> list[Response]:
        """The responses to the flag categories and signals present, most urgent first."""
        present = set(signals)
        return sorted((response for response in self.responses
                       if present.intersection(response.on)), key=lambda r: r.rank)


def load_playbook(path: Path) -> Playbook:
    """Read and check a playbook file; raises PlaybookError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(str(path), None, f"cannot be read ({exc})") from exc
    return parse_playbook(text, str(path))


def parse_playbook(text: str, source: str = "<playbook>") -> Playbook:
    import tomllib  # with the first playbook read, after the call window's first paint

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_of_decode_error(exc)
        raise PlaybookError(source, line, f"not valid TOML: {exc}") from exc
    return _PlaybookReader(text, source).read(data)


#: A table's header: ``[name]`` or ``[[name]]`` (group 1 the second bracket of an array).
_TABLE_HEADER = re.compile(r"^\s*\[(\[)?\s*([^\[\]]+?)\s*\]\]?")


def _line_of_decode_error(exc: ValueError) -> int | None:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


class _PlaybookReader:
    """Checks the parsed TOML against the schema in docs/playbooks.md."""

    def __init__(self, text: str, source: str) -> None:
        self._lines = text.splitlines()
        self._source = source
        # the line of every [table] and [[array of tables]], found in one pass: errors name
        # them, and every table is looked up while the file is read
        self._tables: dict[tuple[str, bool], list[int]] = {}
        for number, line in enumerate(self._lines, start=1):
            header = _TABLE_HEADER.match(line)
            if header is not None:
                array = header[1] is not None
                self._tables.setdefault((header[2], array), []).append(number)

    def read(self, data: dict[str, Any]) -> Playbook:
        playbook_id = self._string(data, "id", self._line_of_key("id"))
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self._fail(self._line_of_key("version"), "'version' must be a whole number ≥ 1")
        limit = data.get("call_limit_seconds")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)
                                  or limit <= 0):
            self._fail(self._line_of_key("call_limit_seconds"),
                       "'call_limit_seconds' must be a positive whole number")
        title = self._localized(data, "title", self._line_of_key("title"), required=True)
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            self._fail(None, "a playbook needs at least one [[steps]] table")
        steps = tuple(self._step(raw, index) for index, raw in enumerate(raw_steps))
        seen: set[str] = set()
        for index, step in enumerate(steps):
            if step.id in seen:
                self._fail(self._line_of_step(index), f"step id '{step.id}' is used twice")
            seen.add(step.id)
        raw_phrasings = data.get("phrasings", [])
        if not isinstance(raw_phrasings, list):
            self._fail(self._line_of_key("phrasings"),
                       "'phrasings' must be [[phrasings]] tables")
        phrasings = tuple(self._phrasing(raw, index, seen)
                          for index, raw in enumerate(raw_phrasings))
        return Playbook(playbook_id, version, title, steps, limit, phrasings,
                        self._escalation(data.get("escalation", {})),
                        self._responses(data.get("responses", {})),
                        self._senior(data.get("senior")))

    def _responses(self, raw: Any) -> tuple[Response, ...]:
        if not isinstance(raw, dict):
            self._fail(self._line_of_key("responses"),
                       "'responses' must be tables, e.g. [responses.violence]")
        responses, answered = [], {}
        for name, table in raw.items():
            line = self._line_of_table(f"responses.{name}")
            context = f"responses.{name}: "
            if not isinstance(table, dict):
                self._fail(line, f"{context}must be a table")
            on = table.get("on")
            if not isinstance(on, list) or not on or not all(
                    isinstance(category, str) and category for category in on):
                self._fail(line, f"{context}'on' must be a list of flag categories, "
                                 "e.g. on = [\"violence\"]")
            for category in on:
                if category in answered:
                    self._fail(line, f"{context}'{category}' already has a response "
                                     f"(responses.{answered[category]})")
                answered[category] = name
            level = table.get("level")
            if level not in RESPONSE_LEVELS:
                self._fail(line, f"{context}'level' must be one of {', '.join(RESPONSE_LEVELS)}")
            responses.append(Response(
                name, tuple(on), level,
                self._localized(table, "title", line, required=True, context=context),
                self._localized(table, "say", line, required=True, lists=True,
                                context=context),
                self._localized(table, "do", line, lists=True, context=context)))
        return tuple(responses)

    def _senior(self, raw: Any) -> SeniorScript | None:
        if raw is None:
            return None
        line = self._line_of_table("senior")
        if not isinstance(raw, dict):
            self._fail(line, "'senior' must be a table")
        context = "senior: "
        return SeniorScript(
            self._localized(raw, "title", line, required=True, context=context),
            self._localized(raw, "say", line, required=True, lists=True, context=context),
            self._localized(raw, "do", line, lists=True, context=context))

    def _phrasing(self, raw: Any, index: int, step_ids: set[str]) -> Phrasing:
        line = self._line_of_table("phrasings", index)
        context = f"phrasing {index + 1}: "
        if not isinstance(raw, dict):
            self._fail(line, f"{context}must be a table")
        steps = raw.get("steps", [])
        if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
            self._fail(line, f"{context}'steps' must be a list of step ids")
        unknown = [step for step in steps if step not in step_ids]
        if unknown:
            self._fail(line, f"{context}no step {', '.join(unknown)} in this playbook")
        return Phrasing(self._localized(raw, "ng", line, required=True, context=context),
                        self._localized(raw, "better", line, required=True, context=context),
                        tuple(steps))

    def _escalation(self, raw: Any) -> EscalationRules:
        line = self._line_of_table("escalation")
        if not isinstance(raw, dict):
            self._fail(line, "'escalation' must be a table")
        for key in ("after_seconds", "repeat_calls", "repeat_days"):
            value = raw.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or value <= 0):
                self._fail(line, f"escalation: '{key}' must be a positive whole number")
        on_flags = raw.get("on_flags", True)
        on_requests = raw.get("on_requests", ["superior"])
        if not isinstance(on_flags, bool):
            self._fail(line, "escalation: 'on_flags' must be true or false")
        if not isinstance(on_requests, list) or not all(isinstance(r, str) for r in on_requests):
            self._fail(line, "escalation: 'on_requests' must be a list of request categories")
        return EscalationRules(raw.get("after_seconds"), on_flags, tuple(on_requests),
                               raw.get("repeat_calls"), raw.get("repeat_days", 30),
                               self._localized(raw, "not_by_reflex", line,
                                               context="escalation: "))

    def _step(self, raw: Any, index: int) -> PlaybookStep:
        line = self._line_of_step(index)
        if not isinstance(raw, dict):
            self._fail(line, f"step {index + 1} must be a table")
        target = raw.get("target_seconds")
        if not isinstance(target, int) or isinstance(target, bool) or target <= 0:
            self._fail(line, f"step {index + 1}: 'target_seconds' must be a positive whole number")
        return PlaybookStep(
            id=self._string(raw, "id", line, f"step {index + 1}: "),
            title=self._localized(raw, "title", line, required=True, context=f"step {index + 1}: "),
            target_seconds=target,
            say=self._localized(raw, "say", line, lists=True, context=f"step {index + 1}: "),
            avoid=self._localized(raw, "avoid", line, lists=True, context=f"step {index + 1}: "),
            done_when=self._localized(raw, "done_when", line, context=f"step {index + 1}: "),
            why=self._localized(raw, "why", line, context=f"step {index + 1}: "),
        )

    def _string(self, table: dict, key: str, line: int | None, context: str = "") -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            self._fail(line, f"{context}'{key}' must be a non-empty string")
        return value

    def _localized(self, table: dict, key: str, line: int | None, *, required: bool = False,
                   lists: bool = False, context: str = "") -> Localized:
        value = table.get(key)
        if value is None and not required:
            return Localized()
        if not isinstance(value, dict) or not value:
            self._fail(line, f"{context}'{key}' must be a table of languages, e.g. {key}.ja = …")
        for language, text in value.items():
            ok = (isinstance(text, list) and all(isinstance(t, str) for t in text)) if lists \
                else isinstance(text, str)
            if not ok:
                kind = "a list of strings" if lists else "a string"
                self._fail(line, f"{context}'{key}.{language}' must be {kind}")
        return Localized({lang: tuple(text) if lists else text for lang, text in value.items()})

    def _line_of_key(self, key: str) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*[.=]")
        for number, line in enumerate(self._lines, start=1):
            if line.lstrip().startswith("["):
                return None
            if pattern.match(line):
                return number
        return None

    def _line_of_step(self, index: int) -> int | None:
        return self._line_of_table("steps", index)

    def _line_of_table(self, name: str, index: int | None = None) -> int | None:
        """The line of ``[name]``, or of the index-th ``[[name]]``."""
        lines = self._tables.get((name, index is not None), [])
        position = 0 if index is None else index
        return lines[position] if position < len(lines) else None

    def _fail(self, line: int | None, message: str) -> None:
        raise PlaybookError(self._source, line, message)


class PlaybookCatalog:
    """The playbooks in some folders, later folders overriding earlier ones by id.

    ``refresh`` reads the folders again, so a playbook dropped in is picked up without a
    restart. A file that no longer reads keeps its last good version in the catalog and
    is reported, so a half-edited file never takes a checklist away mid-shift. The folders
    are first read when a playbook is first asked for, not when the catalog is made: the
    call window shows before it needs one.
    """

    def __init__(self, folders: list[Path]) -> None:
        self._folders = folders
        self._by_file: dict[Path, Playbook] = {}
        #: Each file as last read: its size and time, and what it failed with (if it did).
        self._read: dict[Path, tuple[tuple[int, int], PlaybookError | None]] = {}
        self._refreshed = False

    def refresh(self) -> list[PlaybookError]:
        """Read the files added or changed since the last refresh (the window refreshes
        between every two calls: an unchanged file is not parsed again); the errors of every
        file that is broken now."""
        self._refreshed = True
        errors = []
        seen = set()
        for folder in self._folders:
            for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
                seen.add(path)
                try:
                    status = path.stat()
                except OSError:
                    continue
                stamp = (status.st_size, status.st_mtime_ns)
                read = self._read.get(path)
                if read is None or read[0] != stamp:
                    try:
                        self._by_file[path] = load_playbook(path)
                        read = (stamp, None)
                    except PlaybookError as exc:
                        read = (stamp, exc)
                    self._read[path] = read
                if read[1] is not None:
                    errors.append(read[1])
        for gone in set(self._read) - seen:
            self._by_file.pop(gone, None)
            del self._read[gone]
        return errors

    def playbooks(self) -> list[Playbook]:
        if not self._refreshed:
            self.refresh()
        by_id: dict[str, Playbook] = {}
        for folder in self._folders:
            for path, playbook in self._by_file.items():
                if path.parent == folder:
                    by_id[playbook.id] = playbook
        return sorted(by_id.values(), key=lambda playbook: playbook.id)

    def get(self, playbook_id: str) -> Playbook | None:
        return next((p for p in self.playbooks() if p.id == playbook_id), None)
