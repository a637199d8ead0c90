"""Demo databases of a given size, built once with ``callhelper demo`` and kept in a cache.

A cached file is reused while the generator's inputs are the same: the seed, the number of
cases, CallHelper's version, and the sources that decide what is written (the demo
generator, the demand rules and the schema's migrations). Anything else changed means a
new file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / "benchmarks" / ".cache"
SEED = 1
#: The demo generator writes about ten notes per case (3 to 9 per call, 1 to 3 calls).
NOTES_PER_CASE = 10
#: What decides the generated data: a change to any of these means a new database.
GENERATOR_SOURCES = ("callhelper/core/demo.py", "callhelper/store/demo.py",
                     "callhelper/core/flags.py", "callhelper/core/audit.py",
                     "callhelper/store/models.py", "resources/rules/demands.toml",
                     "callhelper/store/migrations")

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([km]?)$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``10k`` → 10 000 notes, ``1m`` → 1 000 000, ``2500`` → 2 500."""
    match = _SIZE.match(text.strip())
    if not match:
        raise ValueError(f"not a size (like 2k, 10k, 1m): {text!r}")
    number, unit = match.groups()
    return int(float(number) * {"": 1, "k": 1_000, "m": 1_000_000}[unit.lower()])


def size_label(notes: int) -> str:
    if notes >= 1_000_000 and notes % 1_000_000 == 0:
        return f"{notes // 1_000_000}m"
    if notes >= 1_000 and notes % 1_000 == 0:
        return f"{notes // 1_000}k"
    return str(notes)


def generator_version() -> str:
    """A digest of everything that decides what the generator writes."""
    from callhelper import __version__

    digest = hashlib.sha256(__version__.encode())
    for name in GENERATOR_SOURCES:
        path = ROOT / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Dataset:
    label: str
    path: Path
    cases: int
    notes: int
    audit_entries: int
    customers: int
    build_seconds: float | None
    reused: bool

    def as_dict(self) -> dict:
        return {"label": self.label, "cases": self.cases, "notes": self.notes,
                "audit_entries": self.audit_entries, "customers": self.customers,
                "bytes": self.path.stat().st_size, "build_seconds": self.build_seconds,
                "reused": self.reused}


def _counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("support_case", "note", "audit_entry", "customer")}
    finally:
        connection.close()


def dataset(notes: int, cache: Path = DEFAULT_CACHE, seed: int = SEED,
            log=print) -> Dataset:
    """The demo database with about ``notes`` notes, from the cache or built now."""
    label = size_label(notes)
    cases = max(1, notes // NOTES_PER_CASE)
    version = generator_version()
    folder = Path(cache) / version
    path = folder / f"demo-{cases}-cases-seed{seed}.db"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("version") == version and meta.get("cases") == cases \
                and meta.get("seed") == seed:
            return Dataset(label, path, meta["counts"]["support_case"], meta["counts"]["note"],
                           meta["counts"]["audit_entry"], meta["counts"]["customer"],
                           meta.get("build_seconds"), True)
    folder.mkdir(parents=True, exist_ok=True)
    _drop_old_versions(Path(cache), keep=version)
    building = path.with_suffix(".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    log(f"building the {label} database ({cases} demo cases, seed {seed}) …")
    started = time.perf_counter()
    made = subprocess.run([sys.executable, "-m", "callhelper", "--data-dir", str(building),
                           "demo", "--cases", str(cases), "--seed", str(seed)],
                          capture_output=True, text=True, env=_quiet_env(building))
    if made.returncode != 0:
        raise RuntimeError(f"callhelper demo failed:\n{made.stderr[-3000:]}")
    seconds = time.perf_counter() - started
    built = building / "callhelper.db"
    connection = sqlite3.connect(built)
    try:  # one self-contained file: the WAL folded in (the file stays in WAL mode)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    os.replace(built, path)
    shutil.rmtree(building, ignore_errors=True)
    counts = _counts(path)
    meta_path.write_text(json.dumps({"version": version, "seed": seed, "cases": cases,
                                     "counts": counts, "build_seconds": round(seconds, 1)},
                                    indent=1))
    log(f"  {counts['note']} notes in {seconds:.0f} s")
    return Dataset(label, path, counts["support_case"], counts["note"], counts["audit_entry"],
                   counts["customer"], round(seconds, 1), False)


def _drop_old_versions(cache: Path, keep: str) -> None:
    """Databases of an older generator are never used again (and are large)."""
    for folder in cache.iterdir():
        if folder.is_dir() and folder.name != keep and re.fullmatch(r"[0-9a-f]{16}",
                                                                    folder.name):
            shutil.rmtree(folder, ignore_errors=True)


def _quiet_env(folder: Path) -> dict:
    """CallHelper's folders inside ``folder``: a benchmark never touches the real ones."""
    return dict(os.environ, CALLHELPER_CONFIG_DIR=str(folder / "config"),
                CALLHELPER_LOG_DIR=str(folder / "logs"))


def working_copy(data: Dataset, folder: Path) -> Path:
    """A copy of the database to write to, as ``<folder>/data/callhelper.db``, so the
    cached file stays as it was built."""
    target = folder / "data" / "callhelper.db"
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(data.path, target)
    return target
