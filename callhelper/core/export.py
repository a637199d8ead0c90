"""CSV that Excel on a Japanese Windows opens correctly by double-click.

- UTF-8 with a byte-order mark (without it Excel reads the file as Shift_JIS), CRLF line
  ends, RFC 4180 quoting, so embedded quotes, commas and newlines survive;
- formula neutralisation: a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return would be run by a spreadsheet as a formula (CSV injection), so it gets a
  leading apostrophe ``'``, which spreadsheets show as text and do not print. That is the only
  change made to any text;
- written to a temporary file beside the target and renamed at the end, so a failed export
  never leaves half a file, and row by row, so memory stays flat however many rows there are.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZER = "'"
PROGRESS_EVERY = 10_000


def neutralize(value: object) -> str:
    """The cell as written: text unchanged unless a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return NEUTRALIZER + text if text.startswith(FORMULA_STARTS) else text


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]],
              progress: Callable[[int], None] | None = None) -> int:
    """Write the rows to ``path`` atomically; returns how many rows were written."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    count = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow([neutralize(cell) for cell in header])
            for row in rows:
                writer.writerow([neutralize(cell) for cell in row])
                count += 1
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(count)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(count)
    return count
