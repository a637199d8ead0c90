"""The app's files on disk: private folders and files (the settings, the journal, the
database), a database with its ``-wal`` and ``-shm`` companions moved as one, and copies that
are complete on disk before they get their name. Only the standard library: the settings
(config.py) and the store both use it.

The folders hold personal data (customers' numbers, what they said) and the files secrets
too, so on POSIX they are their owner's only (folders 0700, files 0600) whatever the umask,
and an existing folder or file is tightened when it is used.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
#: The files SQLite keeps beside a database, named by appending these to its name.
COMPANIONS = ("-wal", "-shm", "-journal")


def private_folder(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed and, on POSIX, make it its owner's only."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    _tighten(path, PRIVATE_FOLDER)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if it is missing, readable by its owner only whatever the umask,
    and tighten an existing file of this user (POSIX); its content is left as it is, and
    anything there that is not a file is left alone."""
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        if path.is_file():
            _tighten(path, PRIVATE_FILE)
    return path


def private_opener(path: str, flags: int) -> int:
    """An ``opener`` for ``open()`` that creates the file its owner's only (0600)."""
    return os.open(path, flags, PRIVATE_FILE)


def private_database(database: Path) -> None:
    """The database file created private before SQLite opens it (SQLite gives its ``-wal``
    and ``-shm`` the database's permissions), and an existing one and its companions
    tightened."""
    private_file(database)
    for companion in companions(database):
        _tighten(companion, PRIVATE_FILE)


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) through a private temporary file beside it: the
    file is its owner's only, and a failure leaves the previous one as it was."""
    temporary = temporary_beside(path)
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _tighten(path: Path, mode: int) -> None:
    """Take away what others may do with ``path`` (POSIX). A file or folder that belongs to
    another user is left as it is (with a log line): tightening it would lock that user out."""
    if os.name != "posix":
        return
    try:
        status = path.stat()
        if stat.S_IMODE(status.st_mode) & 0o077:
            if status.st_uid == os.getuid():
                path.chmod(mode)
            else:
                log.warning("%s belongs to another user; its permissions were left as they are",
                            path)
    except OSError as exc:
        log.warning("cannot make %s private: %s", path, exc)


class NotAFile(ValueError):
    """A path to write a file to names something else."""


_NOT_FILES = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
              (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))


def replaceable_file(path: Path) -> Path:
    """``path`` if a new file may be renamed onto it: nothing is there yet, or a regular file.
    A folder, a device, a named pipe or a socket raises NotAFile: the rename would replace the
    device (as root) or the pipe, or fail half way."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return path
    if stat.S_ISREG(mode):
        return path
    kind = next((name for test, name in _NOT_FILES if test(mode)), "something else")
    raise NotAFile(f"{path} is {kind}, not a file: nothing was written")


def is_private(path: Path) -> bool:
    """Whether only the owner may read or enter ``path`` (always true where POSIX modes do
    not apply)."""
    return os.name != "posix" or not stat.S_IMODE(Path(path).stat().st_mode) & 0o077


def companions(database: Path) -> list[Path]:
    """The companion files that exist beside ``database``."""
    return [path for suffix in COMPANIONS
            if (path := database.with_name(database.name + suffix)).exists()]


def file_stamp(moment: datetime) -> str:
    """A moment in local time as file names carry it: 20261123-101502."""
    return moment.astimezone().strftime("%Y%m%d-%H%M%S")


def move_aside(database: Path, label: str, moment: datetime) -> Path:
    """Rename ``database`` and its companions to ``<name>.<label>-<time>`` (``-wal`` and
    ``-shm`` after that), so they still open together; returns the new name of the
    database. Nothing is overwritten: an existing name gets a number added."""
    base = f"{database.name}.{label}-{file_stamp(moment)}"
    target, number = database.with_name(base), 1
    while target.exists() or any(target.with_name(target.name + suffix).exists()
                                 for suffix in COMPANIONS):
        number += 1
        target = database.with_name(f"{base}-{number}")
    for companion in companions(database):
        os.rename(companion, target.with_name(target.name + companion.name[len(database.name):]))
    if database.exists():
        os.rename(database, target)
    return target


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the system allows opening a folder)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def temporary_beside(target: Path) -> Path:
    """A new, empty, private file in ``target``'s folder, to be renamed to ``target``."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                    dir=target.parent)
    os.close(handle)
    return Path(name)


def durable_copy(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` (which must not exist yet) through a temporary file that
    is on disk before it is renamed: a failure leaves no half copy at ``target``."""
    if target.exists():
        raise FileExistsError(f"{target} exists")
    temporary = temporary_beside(target)
    try:
        with open(source, "rb") as reader, open(temporary, "wb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
            writer.flush()
            os.fsync(writer.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)
