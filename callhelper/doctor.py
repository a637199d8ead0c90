"""``callhelper doctor``: what an IT admin or a supervisor needs to see at a glance — where
the files are, which versions run, and whether the database, its backups and its audit
trail are sound. Nothing is written: the database is opened read-only.

Each check is ``ok``, a ``problem`` (the exit code is then 1) or ``info``.
"""

from __future__ import annotations

import platform
import shutil
import sqlite3
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from callhelper import __version__
from callhelper.config import Paths, Settings

OK, PROBLEM, INFO = "ok", "problem", "info"
#: PySide6 releases that drop references to ``None`` (and ``True``) on common calls, and the
#: first Python on which that is harmless because those objects are immortal there. Before
#: it, Python aborts ("Fatal Python error: none_dealloc") once the count runs out: after an
#: hour or two of calls. pyproject.toml keeps these pairs from being installed.
LEAKING_BINDINGS = {"6.12.0": (3, 12)}
#: A backup older than this while the database changed since it is a problem.
BACKUP_TOO_OLD_DAYS = 2
LOW_DISK_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    paths: dict[str, str]
    versions: dict[str, str]
    checks: list[Check]

    @property
    def problems(self) -> list[Check]:
        return [check for check in self.checks if check.status == PROBLEM]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "paths": self.paths, "versions": self.versions,
                "checks": [asdict(check) for check in self.checks],
                "problems": [check.name for check in self.problems]}

    def lines(self) -> list[str]:
        width = max(len(name) for name in [*self.paths, *self.versions,
                                           *(check.name for check in self.checks)])
        lines = ["Paths"]
        lines += [f"  {name:<{width}}  {value}" for name, value in self.paths.items()]
        lines.append("Versions")
        lines += [f"  {name:<{width}}  {value}" for name, value in self.versions.items()]
        lines.append("Checks")
        lines += [f"  {check.status.upper():<7}  {check.name:<{width}}  {check.detail}"
                  for check in self.checks]
        if self.ok:
            lines.append("All is well.")
        else:
            lines.append(f"{len(self.problems)} problem(s): "
                         + "; ".join(f"{check.name}: {check.detail}" for check in self.problems))
        return lines


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def versions() -> dict[str, str]:
    import sqlalchemy

    found = {"CallHelper": __version__, "Python": platform.python_version(),
             "SQLAlchemy": sqlalchemy.__version__, "SQLite": sqlite3.sqlite_version}
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        found["PySide6"] = f"{PySide6.__version__} (Qt {qVersion()})"
    except ImportError as exc:
        found["PySide6"] = f"cannot be loaded: {exc}"
    return found


def diagnose(paths: Paths, settings: Settings, now: datetime | None = None) -> Report:
    now = now or datetime.now(timezone.utc)
    database = paths.database_file
    report_paths = {"data": str(paths.data_dir), "config": str(paths.config_dir),
                    "logs": str(paths.log_dir),
                    "database": str(database) if database else _without_password(
                        paths.database_url),
                    "backups": str(paths.backup_dir)}
    found = versions()
    checks = [_qt(found), _search()]
    if database is None:
        checks.append(Check("database", INFO, "a server database: its integrity, size and "
                                              "backups are the server's to check"))
    else:
        checks += _database_checks(database, paths, settings, now)
    checks += [_folders(paths), _private_files(paths), *_content_checks(paths)]
    return Report(report_paths, found, checks)


#: The first bytes of a compiled Qt translation.
QM_MAGIC = bytes.fromhex("3cb86418caef9c95cd211cbf60a1bddd")


def _content_checks(paths: Paths) -> list[Check]:
    """What the app reads besides the database: the demand rules and their model, the
    playbooks (shipped and the user's own), the compiled translations. A broken one shows in
    the window only when it is used; here it shows at once."""
    from callhelper.config import resources_dir
    from callhelper.core.escalation import PAST_CALL_LIMIT, REPEATED_CALLS
    from callhelper.core.flags import RulesError, load_rules
    from callhelper.core.playbook import PlaybookCatalog

    checks = []
    rules_path = resources_dir() / "rules" / "demands.toml"
    try:
        rules = load_rules(rules_path)
        model = rules.model.model() if rules.model else None
    except RulesError as exc:
        rules = None
        checks.append(Check("demand rules", PROBLEM, str(exc)))
    else:
        if rules.model and model is None:
            checks.append(Check("demand rules", PROBLEM, f"{len(rules.categories)} categories; "
                                f"the model {rules.model.path} cannot be read (the log says "
                                "why): the patterns alone decide"))
        else:
            checks.append(Check("demand rules", OK, f"{len(rules.categories)} categories"
                                + (f", a model of {len(model.index)} n-grams" if model else ""),
                                {"categories": len(rules.categories)}))
    catalog = PlaybookCatalog([resources_dir() / "playbooks", paths.config_dir / "playbooks"])
    problems = [str(error) for error in catalog.refresh()]
    if rules is not None:
        known = {category.id for category in rules.categories} | {PAST_CALL_LIMIT,
                                                                  REPEATED_CALLS}
        problems += [f"{playbook.id}: a response names no known category or signal: "
                     f"{', '.join(sorted(set(response.on) - known))}"
                     for playbook in catalog.playbooks() for response in playbook.responses
                     if set(response.on) - known]
    names = ", ".join(playbook.id for playbook in catalog.playbooks())
    checks.append(Check("playbooks", PROBLEM if problems else OK,
                        "; ".join(problems) if problems else names,
                        {"playbooks": [playbook.id for playbook in catalog.playbooks()]}))
    folder = resources_dir() / "i18n"
    compiled = sorted(folder.glob("*.qm"))
    unusable = [path.name for path in compiled if path.read_bytes()[:16] != QM_MAGIC]
    unusable += [f"{source.stem}.qm" for source in sorted(folder.glob("*.ts"))
                 if not source.with_suffix(".qm").exists()]
    if unusable:
        checks.append(Check("translations", PROBLEM, "missing or damaged: "
                            + ", ".join(unusable) + " (`make i18n` compiles them)"))
    else:
        checks.append(Check("translations", OK, ", ".join(path.stem for path in compiled)
                            or "English only"))
    return checks


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _qt(found: dict[str, str]) -> Check:
    if found["PySide6"].startswith("cannot"):
        return Check("window toolkit", PROBLEM, f"PySide6 {found['PySide6']}")
    return binding_check(found["PySide6"], sys.version_info[:2])


def binding_check(pyside: str, python: tuple[int, int]) -> Check:
    """Whether PySide6 ``pyside`` (as ``versions`` reads it) is safe on Python ``python``."""
    binding = pyside.split()[0]
    python_text = ".".join(map(str, python))
    data = {"binding": binding, "python": python_text}
    harmless_from = LEAKING_BINDINGS.get(binding)
    if harmless_from is not None and python < harmless_from:
        needed = ".".join(map(str, harmless_from))
        return Check("window toolkit", PROBLEM,
                     f"PySide6 {pyside} on Python {python_text} loses references to None on "
                     "common calls: the window aborts after an hour or two of calls. Install "
                     f"another PySide6 release, or run on Python {needed} or later",
                     {**data, "known_bad": True})
    return Check("window toolkit", OK, f"PySide6 {pyside} on Python {python_text}",
                 {**data, "known_bad": False})


def _search() -> Check:
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='trigram')")
    except sqlite3.Error as exc:
        return Check("search (FTS5 trigram)", PROBLEM,
                     f"not available in SQLite {sqlite3.sqlite_version}: {exc}",
                     {"available": False})
    finally:
        connection.close()
    return Check("search (FTS5 trigram)", OK, "available", {"available": True})


def _database_checks(database: Path, paths: Paths, settings: Settings,
                     now: datetime) -> list[Check]:
    from callhelper.store.backup import list_backups
    from callhelper.store.integrity import damaged_files

    backups = list_backups(paths.backup_dir, database)
    checks = []
    if not database.exists() and backups:
        checks.append(Check("database", PROBLEM, "missing; `callhelper restore FILE` puts a "
                                                 "backup back", {"exists": False}))
    elif not database.exists():
        checks.append(Check("database", INFO, "not created yet: the app creates it when it "
                                              "first opens", {"exists": False}))
    elif (unusable := _unusable(database)) is not None:
        checks.append(unusable)
    else:
        integrity = _integrity(database)
        checks += [integrity, _schema(database)]
        if integrity.status == OK:
            checks.append(_audit(database, paths.backup_dir))
    checks.append(_sizes(database, backups))
    checks.append(_last_backup(database, backups, settings, now))
    checks.append(_retention(settings))
    damaged = damaged_files(database)
    if damaged:
        checks.append(Check("damaged files put aside", INFO,
                            f"{len(damaged)}, the newest {damaged[0]}",
                            {"files": [str(path) for path in damaged]}))
    checks.append(_disk(database))
    return checks


def _unusable(database: Path) -> Check | None:
    """A problem when the path holds no CallHelper database, or one that lost its log."""
    from callhelper.store.engine import NotCallHelperDatabase, check_database_file
    from callhelper.store.integrity import LOST_LOG, log_lost

    if log_lost(database):
        return Check("database", PROBLEM, f"{LOST_LOG}; starting CallHelper sets the file "
                                          "aside and offers the latest backup", {"exists": True})
    try:
        check_database_file(database)
    except (NotCallHelperDatabase, OSError, sqlite3.Error) as exc:
        return Check("database", PROBLEM, str(exc), {"exists": True})
    return None


def _integrity(database: Path) -> Check:
    from callhelper.store.integrity import check_file

    try:
        problem = check_file(database, quiet=True)
    except sqlite3.Error as exc:
        return Check("database integrity", PROBLEM, f"cannot be read: {exc}", {"ok": False})
    if problem is not None:
        return Check("database integrity", PROBLEM, f"damaged: {problem}", {"ok": False})
    return Check("database integrity", OK, "quick_check: ok", {"ok": True})


def _schema(database: Path) -> Check:
    from callhelper.store.engine import head_revision, known_revisions
    from callhelper.store.integrity import read_only

    head = head_revision()
    try:
        connection = read_only(database, quiet=True)
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return Check("schema", PROBLEM, f"not a CallHelper database ({exc})")
    revision = row[0] if row else None
    data = {"revision": revision, "head": head}
    if revision == head:
        return Check("schema", OK, f"{revision} (the newest)", data)
    if revision in known_revisions():
        return Check("schema", INFO, f"{revision}, upgraded to {head} when the app next "
                                     "opens it", data)
    return Check("schema", PROBLEM, f"{revision}: written by a newer CallHelper "
                                    f"(this one knows up to {head})", data)


def _audit(database: Path, backups: Path) -> Check:
    """The trail checked in full, and its end against the anchors found for it: beside the
    file (and kept aside), and the record beside the backups."""
    from callhelper.store.audit import verify_file
    from callhelper.store.review import ReviewError

    try:
        checked = verify_file(database, backups, own=True)
    except ReviewError as exc:
        return Check("audit trail", INFO, f"not checked: {exc}")
    result, anchored = checked.verification, checked.anchored
    data = {"entries": result.entries, "ok": checked.ok,
            "anchored": anchored.entries if anchored else None}
    if checked.shortened is not None:
        return Check("audit trail", PROBLEM, checked.shortened,
                     {**data, "problem": "shortened"})
    if result.ok:
        end = (f"none missing from the end anchored at {anchored.when}" if anchored else
               "no anchor beside the file, so entries removed from its end could not be "
               "looked for")
        return Check("audit trail", OK, f"{result.entries} entries; every note and case "
                                        f"matches them; {end}", data)
    finding = result.finding
    where = f"{finding.entity} {finding.uid}".strip() or f"entry #{finding.seq}"
    return Check("audit trail", PROBLEM,
                 f"broken at {where} ({finding.problem}); `callhelper verify` explains",
                 {**data, "problem": str(finding.problem), "entity": finding.entity,
                  "uid": finding.uid, "seq": finding.seq})


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _sizes(database: Path, backups) -> Check:
    data = {"database": _file_size(database),
            "wal": _file_size(database.with_name(database.name + "-wal")),
            "backups": sum(backup.size for backup in backups), "backup_count": len(backups)}
    return Check("sizes", INFO, f"database {size_text(data['database'])}, write-ahead log "
                                f"{size_text(data['wal'])}, {len(backups)} backups "
                                f"{size_text(data['backups'])}", data)


def _last_backup(database: Path, backups, settings: Settings, now: datetime) -> Check:
    from callhelper.store.integrity import check_file

    keep = settings.get("backup_keep")
    if not backups:
        status = PROBLEM if database.exists() and _has_cases(database) else INFO
        return Check("last backup", status, "none yet: the app makes one when it starts "
                                            "(daily); `callhelper backup` makes one now",
                     {"keep": keep})
    newest = backups[0]
    data = {"file": str(newest.path), "made_at": newest.made_at.isoformat(),
            "size": newest.size, "keep": keep}
    detail = (f"{newest.made_at:%Y-%m-%d %H:%M} ({size_text(newest.size)}), "
              f"{newest.path.name}; keeping the last {keep}")
    try:
        problem = check_file(newest.path)
    except sqlite3.Error as exc:
        problem = str(exc)
    if problem is not None:
        return Check("last backup", PROBLEM, f"{detail}: damaged ({problem})", data)
    age = now - newest.made_at
    if age.days >= BACKUP_TOO_OLD_DAYS and _changed_since(database, newest.made_at):
        return Check("last backup", PROBLEM, f"{detail}: {age.days} days old, and the "
                                             "database changed since", data)
    return Check("last backup", OK, detail, data)


def _retention(settings: Settings) -> Check:
    days = settings.get("retention_days")
    if days < 1:
        return Check("retention", INFO, "cases are kept for ever (retention_days is 0)",
                     {"days": 0})
    return Check("retention", INFO, f"cases with no activity for {days} days are deleted "
                                    "once a day, after the day's backup", {"days": days})


def _has_cases(database: Path) -> bool:
    from callhelper.store.integrity import read_only

    try:
        connection = read_only(database, quiet=True)
        try:
            return connection.execute("SELECT 1 FROM support_case LIMIT 1").fetchone() is not None
        finally:
            connection.close()
    except sqlite3.Error:
        return False


def _changed_since(database: Path, moment: datetime) -> bool:
    files = [database, database.with_name(database.name + "-wal")]
    return any(path.exists() and path.stat().st_mtime > moment.timestamp() for path in files)


def _disk(database: Path) -> Check:
    folder = database.parent if database.parent.exists() else Path.home()
    free = shutil.disk_usage(folder).free
    status = PROBLEM if free < LOW_DISK_BYTES else OK
    return Check("free disk space", status, f"{size_text(free)} free beside the database",
                 {"free": free})


def _folders(paths: Paths) -> Check:
    from callhelper.files import is_private

    folders = {"data": paths.data_dir, "config": paths.config_dir, "logs": paths.log_dir,
               "backups": paths.backup_dir}
    shared = [name for name, folder in folders.items()
              if folder.exists() and not is_private(folder)]
    if shared:
        return Check("private folders", PROBLEM,
                     f"others may read the {', '.join(shared)} folder(s); starting CallHelper "
                     "makes them private (0700)", {"shared": shared})
    return Check("private folders", OK, "data, config, logs and backups are readable by this "
                                        "user only", {"shared": []})


def _private_files(paths: Paths) -> Check:
    """The files that hold what customers said or secrets: the settings (the CTI token), the
    key that seals the audit trail's anchors, the database and its companions, the logs and
    the backups."""
    from callhelper.config import LOG_FILE, SETTINGS_FILE
    from callhelper.files import companions, is_private

    from callhelper.store.anchor import KEY_FILE

    files = [paths.config_dir / SETTINGS_FILE, paths.config_dir / KEY_FILE,
             *paths.log_dir.glob(f"{LOG_FILE}*")]
    if paths.database_file is not None:
        files += [paths.database_file, *companions(paths.database_file)]
    if paths.backup_dir.is_dir():
        files += [path for path in paths.backup_dir.iterdir() if path.is_file()]
    shared = [str(path) for path in files if path.is_file() and not is_private(path)]
    if shared:
        return Check("private files", PROBLEM,
                     f"others may read {', '.join(shared)}; starting CallHelper makes them "
                     "private (0600)", {"shared": shared})
    return Check("private files", OK, "the settings, database, logs and backups are readable "
                                      "by this user only", {"shared": []})
