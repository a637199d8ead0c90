"""CSV that Excel on a Japanese Windows opens correctly by double-click.

- UTF-8 with a byte-order mark (without it Excel reads the file as Shift_JIS), CRLF line
  ends, RFC 4180 quoting, so embedded quotes, commas and newlines survive;
- formula neutralisation: a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return would be run by a spreadsheet as a formula (CSV injection), so it gets a
  leading apostrophe ``'``, which spreadsheets show as text and do not print. That is the only
  change made to any text;
- written to a temporary file beside the target and renamed at the end, so a failed export
  never leaves half a file, and a chunk of rows at a time, so memory stays flat however many
  rows there are.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZER = "'"
PROGRESS_EVERY = 10_000
CHUNK_ROWS = 1000
WRITE_BUFFER_BYTES = 1 << 20
BYTE_ORDER_MARK = "\ufeff"

# A column is joined with NUL to be scanned at once: a cell starts at the beginning of the
# joined text or right after a NUL. A NUL inside a cell can only cause a false alarm, which
# neutralising that column cell by cell then clears.
_CELL_SEPARATOR = "\x00"
_FORMULA_AFTER_SEPARATOR = re.compile(
    _CELL_SEPARATOR + "[" + re.escape("".join(FORMULA_STARTS)) + "]")


def neutralize(value: object) -> str:
    """The cell as written: text unchanged unless a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return NEUTRALIZER + text if text.startswith(FORMULA_STARTS) else text


def _may_hold_formula(column: Sequence[object]) -> bool:
    try:
        joined = _CELL_SEPARATOR.join(column)
    except TypeError:  # numbers or None among the cells; str(None) starts no formula either
        joined = _CELL_SEPARATOR.join(map(str, column))
    return joined.startswith(FORMULA_STARTS) or \
        _FORMULA_AFTER_SEPARATOR.search(joined) is not None


def _neutralized(chunk: list[Sequence[object]]) -> list[Sequence[object]]:
    """The chunk as it is to be written, each cell as ``neutralize`` makes it.

    Nearly every column of a chunk holds no formula-like cell, and one scan in C shows that;
    only a column that may hold one is neutralised cell by cell. A cell left as it is gets
    written the same as its neutralised text: ``csv`` writes None as an empty cell and
    anything else as ``str()`` of it.
    """
    if len(set(map(len, chunk))) > 1:
        return [[neutralize(cell) for cell in row] for row in chunk]
    columns = list(zip(*chunk))
    suspect = [index for index, column in enumerate(columns) if _may_hold_formula(column)]
    if not suspect:
        return chunk
    for index in suspect:
        columns[index] = tuple(map(neutralize, columns[index]))
    return list(zip(*columns))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]],
              progress: Callable[[int], None] | None = None,
              every: int = PROGRESS_EVERY) -> int:
    """Write the rows to ``path`` atomically; returns how many rows were written.

    ``progress(count)`` is called after every ``every`` rows and once more when all are
    written, before the file is put in place. An exception from ``rows`` or from ``progress``
    stops the export and the temporary file is removed: a previous file at ``path`` stays as
    it was.
    """
    if every < 1:
        raise ValueError(f"progress interval must be at least 1: {every}")
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    count = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="",
                       buffering=WRITE_BUFFER_BYTES) as stream:
            stream.write(BYTE_ORDER_MARK)
            writer = csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow([neutralize(cell) for cell in header])
            rows = iter(rows)
            # Chunks end exactly where progress is due.
            while chunk := list(islice(rows, min(CHUNK_ROWS, every - count % every))):
                writer.writerows(_neutralized(chunk))
                count += len(chunk)
                if progress is not None and count % every == 0:
                    progress(count)
            stream.flush()
            os.fsync(stream.fileno())
        if progress is not None:
            progress(count)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count
