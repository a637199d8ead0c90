"""The audit trail's anchor: where its end was, kept outside the database.

A hash chain shows an entry changed, removed or inserted anywhere inside it, but not its end
cut off: removing the last entries together with their notes, or losing a write-ahead log
after a crash, leaves a shorter chain that still verifies. So after every commit that
appended to the trail of a SQLite database, the app writes beside the file
(``callhelper.db.anchor``) the last entry's id and hash, how many entries the chain had, and
when. A trail that no longer holds that entry, or has fewer entries, lost its end
(``Anchor.shortened``). Entries are numbered from 1 and never removed (the database refuses
it), so the last entry's id is how many the chain has.

The connections of the app's engine write it (``AnchoredConnection``): the transaction that
appends notes the entry (``appended``), and its commit, once it succeeded, writes the file.
A note saved reads nothing more for it: the id and hash come from the insert (a bulk
writer looks the id up once per batch). The anchor is one record of fixed size written in
place with a single ``pwrite`` (about 10 µs; a temporary file renamed over it took 0.25–1.5
ms, a good part of a note's save): a process killed at any moment leaves the old record or
the new one, as the write of a few hundred bytes is not cut short by a signal. It is not
forced to disk, as it need not outlive a power cut: one may leave an older anchor, which
expects less, or one that does not read (taken for none) — never one ahead of the
database, whose commit is on disk before the anchor is written.

The anchor belongs to the file's contents: a database set aside or replaced by a restore
takes its anchor along (``move_anchor``), and a restore anchors the restored trail anew.
It finds a trail cut short by a lost log, or by someone who did not know of the anchor.
The app's opening of the file compares the trail with it first (audit.anchors_at_open): an
anchor the trail no longer holds is kept aside (``keep_aside``) before the next commit
would move it to the shorter trail's end.

Whoever can rewrite the database can rewrite the anchor beside it too. So the anchor is
sealed (``Key``: an HMAC with a key kept in the settings folder, not beside the database),
and the trail's end is also recorded elsewhere: a line in the backups folder at every backup,
restore and new database (``record_in_log``), each evidence report, and in team mode the
team's server (sync.Shipper.ship_end). ``check_anchors`` compares a trail with all of them;
docs/data-safety.md says what each protects against whom.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from callhelper.files import PRIVATE_FILE, private_folder
from callhelper.locations import config_folder

log = logging.getLogger(__name__)

ANCHOR_SUFFIX = ".anchor"
#: The ``prev_hash`` of a trail's first entry, and the end of an empty trail.
GENESIS_HASH = "0" * 64


def anchor_file(database: Path) -> Path:
    """Where the anchor of ``database`` is kept: beside it, its name with ``.anchor``."""
    database = Path(database)
    return database.with_name(database.name + ANCHOR_SUFFIX)


#: The key that seals anchors, in the settings folder (never beside the database; config.py
#: names it too, as a file to keep private).
KEY_FILE = "audit.key"
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Key:
    """This account's key for sealing anchors: 32 random bytes, kept in the settings folder
    (mode 0600), never in the data folder. ``id`` names it without revealing it."""

    secret: bytes

    @property
    def id(self) -> str:
        return hashlib.sha256(b"callhelper-anchor-key" + self.secret).hexdigest()[:16]

    def seal(self, *fields: object) -> str:
        message = SEPARATOR.join(str(field) for field in fields).encode("utf-8")
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def key_file() -> Path:
    return config_folder() / KEY_FILE


def read_key() -> Key | None:
    """This account's key; None when none was made yet (or it does not read)."""
    try:
        secret = bytes.fromhex(key_file().read_text(encoding="ascii").strip())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("the key that seals the audit trail's anchors does not read: %s", exc)
        return None
    return Key(secret) if len(secret) >= 16 else None


def account_key() -> Key | None:
    """This account's key, made on first use (None, logged, when the settings folder cannot
    be written: anchors are then written unsealed)."""
    key = read_key()
    if key is not None:
        return key
    path = key_file()
    try:
        private_folder(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:  # made meanwhile by another process
        return read_key()
    except OSError as exc:
        log.warning("the key that seals the audit trail's anchors was not made: %s", exc)
        return None
    try:
        os.write(descriptor, (secrets.token_hex(32) + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return read_key()


class Seal(StrEnum):
    """What an anchor's seal says about who wrote it."""

    SOUND = "sound"          # sealed with this account's key: CallHelper wrote it
    FORGED = "forged"        # claims this account's key but does not match it: rewritten
    UNSEALED = "unsealed"    # no seal at all
    OTHER_KEY = "other_key"  # sealed with a key this account does not have
    NO_KEY = "no_key"        # this account has no key: the seal cannot be checked


class Origin(StrEnum):
    """Where an anchor was recorded, for messages in any language (``Place``)."""

    BESIDE = "beside"        # beside the file (``file``: the anchor file's name)
    KEPT = "kept"            # kept aside (``file``: its name; ``found``: when)
    BACKUP = "backup"        # a line of the record beside the backups: a backup made
    RESTORE = "restore"      # ... a backup restored
    FOUND = "found"          # ... a finding noted
    NEW = "new"              # ... a new database started
    RECORD = "record"        # the record beside the backups itself (``line``: which)
    SERVER = "server"        # the team's server
    GIVEN = "given"          # an end given on the command line (``file``: it, shortened)
    REPORT = "report"        # an evidence report (``file``: its name)
    ELSEWHERE = "elsewhere"  # only ``Anchor.source`` says where


@dataclass(frozen=True)
class Place:
    """Where an anchor (or the seal or line a finding is about) was recorded, as data:
    ``when`` the anchor there was written (local time, as messages give it), ``file`` the
    backup's, kept anchor's or anchor file's name, ``record`` the record beside the backups
    and ``line`` its line, ``found`` when the app found the trail did not hold it."""

    origin: Origin
    when: str = ""
    file: str = ""
    record: str = ""
    line: int = 0
    found: str = ""


class FindingKind(StrEnum):
    """What a trail compared with an anchor found wrong (``Finding``)."""

    SHORTER = "shorter"                  # fewer entries than anchored
    NO_LONGER_HOLDS = "no_longer_holds"  # the anchored entry is gone or changed
    SEAL_FORGED = "seal_forged"          # the seal does not match: rewritten by hand
    SEAL_MISSING = "seal_missing"        # not sealed where CallHelper seals it
    SEAL_OTHER_KEY = "seal_other_key"    # sealed with another key than this account's
    UNREADABLE = "unreadable"            # a kept anchor, or a line of the record, does not read


@dataclass(frozen=True)
class Finding:
    """One thing a trail compared with its anchors found wrong, as data (``kind``,
    ``place``: where the anchor, seal or line is; ``then`` and ``now``: how many entries
    the trail had and has; ``entry``: the anchored entry; ``detail``: the system's words
    for a record that cannot be read), and as the English sentence the command line and
    the log give (``text``). The window words it in the agent's language."""

    kind: FindingKind
    text: str
    place: Place
    then: int = 0
    now: int = 0
    entry: int = 0
    detail: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Anchor:
    """The end of a trail as it was recorded somewhere: its last entry (``entry``,
    ``hash``), how many entries it had, and when. ``source`` says where, for messages
    (None: beside the file); ``stamp`` is ``written_at`` as written, ``key`` and ``seal``
    the id of the key that sealed it and the seal (empty: none)."""

    entry: int
    hash: str
    entries: int
    written_at: datetime
    source: str | None = None
    stamp: str = ""
    key: str = ""
    seal: str = ""
    #: Where it was recorded, as data (None: beside the file when ``source`` is None).
    place: Place | None = None

    @property
    def when(self) -> str:
        """When it was written, in local time, as messages give it."""
        return f"{self.written_at.astimezone():%Y-%m-%d %H:%M:%S}"

    @property
    def where(self) -> Place:
        if self.place is not None:
            return self.place
        return Place(Origin.BESIDE if self.source is None else Origin.ELSEWHERE, self.when)

    def sealed(self, key: Key | None, *fields: object) -> Seal:
        """Whether this account's ``key`` sealed it (with ``fields`` before its own)."""
        if key is None:
            return Seal.NO_KEY
        if not self.seal:
            return Seal.UNSEALED
        if self.key != key.id:
            return Seal.OTHER_KEY
        expected = key.seal(*fields, self.entry, self.hash, self.entries, self.stamp)
        return Seal.SOUND if hmac.compare_digest(expected, self.seal) else Seal.FORGED

    def shortened(self, connection: Connection, entries: int) -> Finding | None:
        """What the trail on ``connection``, with ``entries`` entries, lost since the anchor
        was written; None when it still holds the anchored entry."""
        if entries < self.entries:
            if self.source is None:
                text_ = (f"the audit trail is shorter than when it was last written: "
                        f"{self.entries} entries anchored at {self.when}, {entries} now — "
                         "entries were removed or a write-ahead log was lost")
            else:
                text_ = (f"the audit trail is shorter than {self.source}: {self.entries} "
                         f"entries then, {entries} now — entries were removed from its end, "
                         "or it was emptied or replaced")
            return Finding(FindingKind.SHORTER, text_, self.where, self.entries, entries,
                           self.entry)
        if self.entry == 0:
            return None
        found = connection.execute(text("SELECT hash FROM audit_entry WHERE id = :id"),
                                   {"id": self.entry}).scalar()
        if found != self.hash:
            if self.source is None:
                text_ = (f"the audit trail no longer holds entry #{self.entry} anchored at "
                         f"{self.when} ({self.entries} entries then, {entries} now) — "
                         "entries were removed and others written in their place")
            else:
                text_ = (f"the audit trail no longer holds entry #{self.entry} as it was "
                         f"{self.source} ({self.entries} entries then, {entries} now) — the "
                         "trail was rewritten from that entry on, or replaced")
            return Finding(FindingKind.NO_LONGER_HOLDS, text_, self.where, self.entries,
                           entries, self.entry)
        return None


def _anchor(content: dict, source: str | None = None) -> Anchor:
    stamp = str(content["written_at"])
    return Anchor(int(content["entry"]), str(content["hash"]), int(content["entries"]),
                  datetime.fromisoformat(stamp), source, stamp, str(content.get("key", "")),
                  str(content.get("seal", "")))


def read_anchor(database: Path) -> Anchor | None:
    """The anchor beside ``database``; None when there is none, or none that reads."""
    try:
        return _anchor(json.loads(anchor_file(database).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning("the anchor of %s does not read: %s", database, exc)
        return None


#: The anchor's size on disk: its JSON, padded with spaces, always written whole at the start.
RECORD_BYTES = 384


def _sealed_record(entry: int, entry_hash: str, key: Key | None, *fields: object) -> dict:
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    record = {"entry": entry, "hash": entry_hash, "entries": entry, "written_at": stamp}
    if key is not None:
        record |= {"key": key.id, "seal": key.seal(*fields, entry, entry_hash, entry, stamp)}
    return record


def write_anchor(anchor: Path, entry: int, entry_hash: str, key: Key | None = None) -> None:
    """Write into the anchor file ``anchor`` (private, like every file beside the database)
    the trail ending at ``entry``, sealed with ``key`` when given. A failure is logged: what
    was committed stays so, and the next commit that appends tries again."""
    content = json.dumps(_sealed_record(entry, entry_hash, key)).encode(
        "utf-8").ljust(RECORD_BYTES)
    try:
        descriptor = os.open(anchor, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
        try:
            os.pwrite(descriptor, content, 0)
        finally:
            os.close(descriptor)
    except OSError as exc:
        log.warning("the audit trail's anchor %s was not written: %s", anchor, exc)


class AnchoredConnection(sqlite3.Connection):
    """A SQLite connection that writes its database's anchor (``anchor``, set when the
    engine connects) after each commit of a transaction that appended to the trail
    (``appended``: the last entry's id and hash). A rolled-back transaction writes none, and
    entries rolled back to a savepoint are forgotten with it."""

    anchor: Path | None = None
    key: Key | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.appended: tuple[int, str] | None = None
        self._at_savepoints: list[tuple[int, str] | None] = []  # the open ones, innermost last

    def commit(self) -> None:
        appended, self.appended = self.appended, None
        self._at_savepoints.clear()
        committing = self.in_transaction  # not when SQLite rolled it back itself
        super().commit()
        if appended is not None and committing and self.anchor is not None:
            write_anchor(self.anchor, *appended, self.key)

    def rollback(self) -> None:
        self.appended = None
        self._at_savepoints.clear()
        super().rollback()

    def savepoint_made(self) -> None:
        self._at_savepoints.append(self.appended)

    def savepoint_ended(self, rolled_back: bool) -> None:
        """The innermost savepoint is released, or rolled back with what was appended
        since it was made."""
        at_savepoint = self._at_savepoints.pop() if self._at_savepoints else None
        if rolled_back:
            self.appended = at_savepoint


def keep_anchor(engine: Engine, database: Path) -> None:
    """Anchor the trail of ``database`` after the commits on ``engine``, whose connections
    are ``AnchoredConnection``s; they follow its savepoints (SQLAlchemy's nested
    transactions), which SQLite runs as statements."""
    anchor = anchor_file(database)
    key = account_key()

    def connected(dbapi_connection, _record) -> None:
        dbapi_connection.anchor = anchor
        dbapi_connection.key = key

    def savepoint_made(connection, _name) -> None:
        connection.connection.dbapi_connection.savepoint_made()

    def released(connection, _name, _context) -> None:
        connection.connection.dbapi_connection.savepoint_ended(rolled_back=False)

    def rolled_back(connection, _name, _context) -> None:
        connection.connection.dbapi_connection.savepoint_ended(rolled_back=True)

    event.listen(engine, "connect", connected)
    event.listen(engine, "savepoint", savepoint_made)
    event.listen(engine, "release_savepoint", released)
    event.listen(engine, "rollback_savepoint", rolled_back)


def appended(connection: Connection, entry_hash: str, entry: int | None = None) -> None:
    """Note that the transaction on ``connection`` appended to the trail, up to the entry
    ``entry_hash`` (id ``entry``, looked up when not given): its commit writes the anchor.
    Nothing on a database that has none (a server)."""
    dbapi_connection = connection.connection.dbapi_connection
    if not isinstance(dbapi_connection, AnchoredConnection):
        return
    if entry is None:
        entry = connection.execute(text("SELECT id FROM audit_entry WHERE hash = :hash"),
                                   {"hash": entry_hash}).scalar_one()
    dbapi_connection.appended = (entry, entry_hash)


def move_anchor(database: Path, moved: Path) -> None:
    """``database`` was renamed to ``moved`` (set aside, or replaced by a restore): its
    anchor goes with it, and the anchors kept aside when its trail was found shorter
    (``keep_aside``), so that the file can still be checked against them."""
    database, moved = Path(database), Path(moved)
    try:
        os.rename(anchor_file(database), anchor_file(moved))
    except FileNotFoundError:
        pass
    for kept in kept_aside(database):
        os.rename(kept, moved.with_name(moved.name + kept.name[len(database.name):]))


# Anchors kept aside -----------------------------------------------------------------------

#: An anchor beside the file that the app found its trail no longer holds, when it opened
#: the file, is kept as ``callhelper.db.anchor.found-<UTC time>`` before it writes again.
FOUND_LABEL = ".found-"
_FOUND_STAMP = "%Y%m%dT%H%M%SZ"


def kept_aside(database: Path) -> list[Path]:
    """The anchors kept aside beside ``database``, oldest first."""
    prefix = anchor_file(database).name + FOUND_LABEL
    folder = Path(database).parent
    try:
        return sorted(path for path in folder.iterdir() if path.name.startswith(prefix))
    except FileNotFoundError:
        return []


def keep_aside(database: Path, found_at: datetime) -> Path | None:
    """Copy the anchor beside ``database`` to a file named with ``found_at``, which the
    next commit will not overwrite; None when there is no anchor."""
    source = anchor_file(database)
    target = source.with_name(source.name + FOUND_LABEL
                              + found_at.astimezone(timezone.utc).strftime(_FOUND_STAMP))
    try:
        content = source.read_bytes()
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a read-only folder: nothing is written there either
        log.warning("the anchor %s could not be kept aside: %s", source, exc)
        return None
    try:
        os.write(descriptor, content)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return target


def read_kept_aside(path: Path) -> Anchor | None:
    found = path.name.rsplit(FOUND_LABEL, 1)[-1]
    try:
        found_at = datetime.strptime(found, _FOUND_STAMP).replace(tzinfo=timezone.utc)
        content = json.loads(path.read_text(encoding="utf-8"))
        anchor = _anchor(content)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning("the anchor kept aside in %s does not read: %s", path, exc)
        return None
    found = f"{found_at.astimezone():%Y-%m-%d %H:%M:%S}"
    return replace(anchor, source=(
        f"when it was anchored beside the file at {anchor.when} (kept in {path.name} since "
        f"CallHelper found the trail did not hold it at {found})"),
        place=Place(Origin.KEPT, anchor.when, path.name, found=found))


# The record beside the backups ------------------------------------------------------------

#: One line per backup made (and per restore, per new database started, per finding noted)
#: in the backups folder: ``<backups>/callhelper.anchors``.
LOG_SUFFIX = ".anchors"


class LogKind(StrEnum):
    BACKUP = "backup"     # a backup was made: its trail ends here
    RESTORE = "restore"   # a backup was restored: the trail goes on from its end
    NEW = "new"           # a new, empty database was started in the file's place
    FOUND = "found"       # the app found the trail did not hold an anchor, and noted it


def anchor_log(folder: Path, database: Path) -> Path:
    return Path(folder) / f"{Path(database).stem}{LOG_SUFFIX}"


def record_in_log(folder: Path, database: Path, kind: LogKind, file: str, entry: int,
                  entry_hash: str, key: Key | None = None) -> None:
    """Add a line to the record in the backups folder ``folder`` (made private if new),
    sealed with this account's key; forced to disk. A failure is logged."""
    key = key if key is not None else account_key()
    line = {"kind": kind.value, "file": file} | _sealed_record(
        entry, entry_hash, key, kind.value, file)
    try:
        private_folder(Path(folder))
        descriptor = os.open(anchor_log(folder, database),
                             os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        try:
            os.write(descriptor, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as exc:
        log.warning("the record of the audit trail's end in %s was not written: %s",
                    folder, exc)


@dataclass(frozen=True)
class Logged:
    kind: LogKind
    file: str
    anchor: Anchor
    #: The line's number in the record, from 1.
    line: int


def _label(kind: LogKind, file: str, anchor: Anchor, record: Path) -> str:
    when = anchor.when
    if kind is LogKind.BACKUP:
        return f"at the backup {file} of {when} (recorded in {record})"
    if kind is LogKind.RESTORE:
        return f"when the backup {file} was restored at {when} (recorded in {record})"
    if kind is LogKind.FOUND:
        return f"when CallHelper noted a trail shorter than its anchors at {when} " \
               f"(recorded in {record})"
    return f"when a new database was started at {when} (recorded in {record})"


def read_log(folder: Path, database: Path) -> tuple[list[Logged], list[tuple[int, Finding]]]:
    """The lines of the record in the backups folder, and those that do not read: their
    numbers, with what is wrong."""
    path = anchor_log(folder, database)
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        detail = str(exc.strerror or exc)
        return [], [(0, Finding(FindingKind.UNREADABLE, f"{path} cannot be read: {detail}",
                                Place(Origin.RECORD, record=str(path)), detail=detail))]
    logged, unreadable = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            content = json.loads(line)
            kind, file = LogKind(content["kind"]), str(content["file"])
            anchor = _anchor(content)
        except (ValueError, TypeError, KeyError):
            unreadable.append((number, Finding(
                FindingKind.UNREADABLE, f"line {number} of {path} does not read: it was "
                "changed outside CallHelper", Place(Origin.RECORD, record=str(path),
                                                    line=number))))
            continue
        place = Place(Origin(kind.value), anchor.when, file, str(path), number)
        logged.append(Logged(kind, file, replace(anchor, source=_label(kind, file, anchor,
                                                                         path), place=place),
                             number))
    return logged, unreadable


def in_force(logged: list[Logged], since: tuple[LogKind, ...] = (LogKind.RESTORE, LogKind.NEW)
             ) -> list[Logged]:
    """The lines from the last restore or new database on (with it): what the trail in the
    file must still hold. The start-up check also starts after the last finding noted."""
    start = 0
    for index, line in enumerate(logged):
        if line.kind in since:
            start = index
    return logged[start:]


# Checking a trail against every anchor ----------------------------------------------------

@dataclass(frozen=True)
class AnchorFindings:
    """A trail compared with the anchors found for it: ``findings`` (the trail lost or
    rewritten since an anchor, an anchor rewritten by hand; ``problems``: each as an English
    sentence), ``notes`` (what could not be checked), ``checked``: the anchors it still
    holds."""

    beside: Anchor | None
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    checked: tuple[Anchor, ...]
    #: Whether the anchor beside the file is among those the trail no longer holds.
    beside_broken: bool = False

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(finding.text for finding in self.findings)

    @property
    def ok(self) -> bool:
        return not self.findings


def _seal_problem(anchor: Anchor, key: Key | None, own: bool, what: str, place: Place,
                  *fields: object) -> tuple[Finding | None, str | None]:
    """(problem, note) about the seal of ``anchor`` (``what``: where it is, in words;
    ``place``: the same as data)."""
    seal = anchor.sealed(key, *fields)
    if seal is Seal.SOUND:
        return None, None
    if seal is Seal.FORGED:
        return Finding(FindingKind.SEAL_FORGED, f"{what} does not match its seal: it was "
                       "rewritten outside CallHelper", place), None
    if own and seal is Seal.UNSEALED:
        return Finding(FindingKind.SEAL_MISSING, f"{what} is not sealed, where CallHelper "
                       "seals it with this account's key: it was written outside CallHelper",
                       place), None
    if own:
        return Finding(FindingKind.SEAL_OTHER_KEY, f"{what} is sealed with another key than "
                       "this account's: it was written outside CallHelper, or before this "
                       "account's settings folder (which keeps the key) was replaced",
                       place), None
    if seal is Seal.NO_KEY:
        return None, f"{what} is sealed, but this account has no key to check the seal with"
    return None, f"{what} was sealed by another account: its seal could not be checked here"


def check_anchors(connection: Connection, entries: int, database: Path | None,
                  backups: Path | None, *, own: bool, given: tuple[Anchor, ...] = (),
                  at_start: bool = False) -> AnchorFindings:
    """Compare the trail on ``connection`` (``entries`` entries, its chain already sound)
    with every anchor known for it: the one beside ``database`` and those kept aside there,
    the record in the backups folder ``backups``, and ``given`` (a report's, the command
    line's). ``own``: the file is this account's own database, whose anchors CallHelper
    seals with this account's key. ``at_start``: only what the app has not noted yet (no
    anchor kept aside, record lines after the last finding)."""
    key = read_key()
    problems: list[Finding] = []
    notes: list[str] = []
    checked: list[Anchor] = []
    beside = read_anchor(database) if database is not None else None
    beside_broken = False

    def held(anchor: Anchor) -> bool:
        lost = anchor.shortened(connection, entries)
        if lost is not None:
            problems.append(lost)
            return False
        checked.append(anchor)
        return True

    if beside is not None:
        name = anchor_file(database).name
        problem, note = _seal_problem(beside, key, own, f"the anchor beside the file ({name})",
                                      Place(Origin.BESIDE, beside.when, name))
        problems += [problem] if problem else []
        notes += [note] if note else []
        beside_broken = not held(beside) or problem is not None
    if database is not None and not at_start:
        for path in kept_aside(database):
            anchor = read_kept_aside(path)
            if anchor is None:
                problems.append(Finding(
                    FindingKind.UNREADABLE, f"the anchor kept aside in {path.name} does not "
                    "read: it was changed outside CallHelper", Place(Origin.KEPT, file=path.name)))
                continue
            problem, note = _seal_problem(anchor, key, own, f"the anchor kept in {path.name}",
                                          anchor.where)
            problems += [problem] if problem else []
            held(anchor)
    if backups is not None and database is not None:
        logged, unreadable = read_log(backups, database)
        since = (LogKind.RESTORE, LogKind.NEW) + ((LogKind.FOUND,) if at_start else ())
        lines = in_force(logged, since)
        first = lines[0].line if lines else 0
        problems += [problem for number, problem in unreadable if number >= first]
        for line in lines:
            if at_start and line.kind is LogKind.FOUND:
                continue  # noted already: its own end is checked from the next line on
            record = anchor_log(backups, database)
            problem, note = _seal_problem(
                line.anchor, key, own, f"line {line.line} of {record}",
                Place(Origin.RECORD, line.anchor.when, line.file, str(record), line.line),
                line.kind.value, line.file)
            problems += [problem] if problem else []
            notes += [note] if note and note not in notes else []
            held(line.anchor)
    for anchor in given:
        held(anchor)
    return AnchorFindings(beside, tuple(problems), tuple(notes), tuple(checked),
                          beside_broken)


def trail_end(connection: Connection) -> tuple[int, str]:
    """The last entry's id and hash (0 and 64 zeros for an empty trail)."""
    row = connection.execute(text(
        "SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1")).first()
    return (int(row[0]), str(row[1])) if row is not None else (0, GENESIS_HASH)


def shipped_uid(key: Key | None, database: Path) -> str:
    """How a team's server names an agent's own file, whose trail's end it keeps: this
    account's key's id and the file's name (neither is in the file, so emptying or
    replacing it does not change it)."""
    return f"{key.id if key is not None else 'unkeyed'}:{Path(database).name}"
