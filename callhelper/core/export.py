"""CSV that Excel on a Japanese Windows opens correctly by double-click, and Excel workbooks.

- UTF-8 with a byte-order mark (without it Excel reads the file as Shift_JIS), CRLF line
  ends, every field quoted (RFC 4180), so embedded quotes, commas and newlines survive, and
  an import that splits at tabs, semicolons or spaces as well as commas keeps each field whole;
- formula neutralisation: a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return — also after spaces or control characters, which an import may trim or
  drop — would be run by a spreadsheet as a formula (CSV injection), so it gets a leading
  apostrophe ``'``, which spreadsheets show as text and do not print. That is the only change
  made to any text;
- an .xlsx workbook has typed cells instead: numbers as numbers, times as Excel date-times,
  every text as a text cell (never a formula, no apostrophe needed), with a frozen header
  row, column widths that fit and an autofilter;
- written to a temporary file beside the target and renamed at the end, so a failed export
  never leaves half a file, and a chunk of rows at a time, so memory stays flat however many
  rows there are.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZER = "'"
PROGRESS_EVERY = 10_000
CHUNK_ROWS = 1000
WRITE_BUFFER_BYTES = 1 << 20
BYTE_ORDER_MARK = "\ufeff"

CSV, XLSX = "csv", "xlsx"
FORMATS = (CSV, XLSX)
#: Excel's limits: rows of a sheet (the header included) and characters of a cell.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CHARS = 32_767
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
#: Column widths in characters (a wide Japanese character counts two), from the header and
#: the first chunk of rows.
XLSX_WIDTH_LIMITS = (6, 60)

# A column is joined with NUL, and a NUL put before it, to be scanned at once: a cell starts
# right after a NUL. A NUL inside a cell can only cause a false alarm, which neutralising
# that column cell by cell then clears.
_CELL_SEPARATOR = "\x00"
#: What an import may trim or drop before a cell's text: white space (ASCII, the no-break
#: and the ideographic space) and control characters.
_IGNORABLE_CHARS = "\\s\x00-\x1f\x7f\u00a0\u3000"
_FORMULA_CHARS = re.escape("".join(FORMULA_STARTS))
_FORMULA = re.compile(f"[{_IGNORABLE_CHARS}]*[{_FORMULA_CHARS}]")
#: A cell that starts with a formula's character or with one an import may drop: only such
#: a cell can be a formula. One character after a separator, not the whole ``_FORMULA``
#: there (a repeated class after every separator made the scan fifty times slower), and not
#: a NUL: an empty cell is two separators in a row, and a cell's own leading NULs are taken
#: for separators, the character after the last of them still checked.
_MAY_START_FORMULA = re.compile(
    f"{_CELL_SEPARATOR}[\\s\x01-\x1f\x7f\u00a0\u3000{_FORMULA_CHARS}]")


#: Cells whose text never starts a formula: times (``str`` of a datetime starts with its
#: year) and None (an empty cell); whole numbers too, unless negative.
_NEVER_FORMULAS = frozenset({datetime, type(None)})
_WHOLE_NUMBERS = frozenset({int, type(None)})


def neutralize(value: object) -> str:
    """The cell as written: text unchanged unless a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return NEUTRALIZER + text if _FORMULA.match(text) else text


def _may_hold_formula(column: Sequence[object]) -> bool:
    kinds = set(map(type, column))
    if kinds <= _NEVER_FORMULAS:  # no text of them is made here just to be looked at
        return False
    if kinds <= _WHOLE_NUMBERS and min(value for value in column if value is not None) >= 0:
        return False
    try:
        joined = _CELL_SEPARATOR.join(column)
    except TypeError:  # numbers or None among the cells; str(None) starts no formula either
        joined = _CELL_SEPARATOR.join(map(str, column))
    return _MAY_START_FORMULA.search(_CELL_SEPARATOR + joined) is not None


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


class TooManyRows(ValueError):
    """More rows than an Excel sheet holds; nothing is written."""


def check_sheet_rows(rows: int) -> None:
    """TooManyRows if ``rows`` rows and the header do not fit in an Excel sheet."""
    if rows >= XLSX_MAX_ROWS:
        raise TooManyRows(f"{rows:,} rows: an Excel sheet holds at most "
                          f"{XLSX_MAX_ROWS - 1:,}; export fewer (--from/--to) or as CSV")


def format_of(path: Path) -> str:
    """``xlsx`` for a path ending in .xlsx, else ``csv``."""
    return XLSX if Path(path).suffix.lower() == ".xlsx" else CSV


def _checked_interval(every: int) -> int:
    if every < 1:
        raise ValueError(f"progress interval must be at least 1: {every}")
    return every


@contextmanager
def _written_in_place(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` (readable by its user only), flushed to disk and put
    in place of ``path`` when the block ends; removed instead if the block raises, so an
    earlier file at ``path`` stays as it was."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "r+b") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _in_chunks(rows: Iterable[Sequence[object]], progress: Callable[[int], None] | None,
               every: int) -> Iterator[list[Sequence[object]]]:
    """The rows a chunk at a time; ``progress(count)`` after each ``every`` rows and once
    more after the last."""
    rows = iter(rows)
    count = 0
    # Chunks end exactly where progress is due.
    while chunk := list(islice(rows, min(CHUNK_ROWS, every - count % every))):
        yield chunk
        count += len(chunk)
        if progress is not None and count % every == 0:
            progress(count)
    if progress is not None:
        progress(count)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]],
              progress: Callable[[int], None] | None = None,
              every: int = PROGRESS_EVERY) -> int:
    """Write the rows to ``path`` atomically; returns how many rows were written.

    ``progress(count)`` is called after every ``every`` rows and once more when all are
    written, before the file is put in place. An exception from ``rows`` or from ``progress``
    stops the export and the temporary file is removed: a previous file at ``path`` stays as
    it was. A time is written as ``YYYY-MM-DD HH:MM:SS`` (``str`` of a naive datetime).
    """
    every = _checked_interval(every)
    count = 0
    with _written_in_place(path) as temporary, \
            open(temporary, "w", encoding="utf-8", newline="",
                 buffering=WRITE_BUFFER_BYTES) as stream:
        stream.write(BYTE_ORDER_MARK)
        writer = csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        writer.writerow([neutralize(cell) for cell in header])
        for chunk in _in_chunks(rows, progress, every):
            writer.writerows(_neutralized(chunk))
            count += len(chunk)
    return count


def _display_width(value: object) -> int:
    """How many narrow characters the first line of a cell takes."""
    if isinstance(value, datetime):
        return len(XLSX_TIME_FORMAT)
    text = "" if value is None else str(value).split("\n", 1)[0][:XLSX_WIDTH_LIMITS[1]]
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _column_widths(header: Sequence[str], rows: list[Sequence[object]]) -> list[int]:
    narrowest, widest = XLSX_WIDTH_LIMITS
    widths = [_display_width(name) for name in header]
    for row in rows:
        for index, value in enumerate(row[:len(widths)]):
            widths[index] = max(widths[index], _display_width(value))
    return [min(max(width + 2, narrowest), widest) for width in widths]


def fitting_text(text: str) -> str:
    """The text as an Excel cell can hold it (32,767 UTF-16 units): whole, or cut short and
    ending in ``… (+N)``, N the characters left out (the CSV export has them)."""
    if len(text) <= XLSX_MAX_CHARS // 2:
        return text
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * XLSX_MAX_CHARS:
        return text
    # never half a surrogate pair: a cut one is dropped
    kept = units[:2 * (XLSX_MAX_CHARS - 40)].decode("utf-16-le", "ignore")
    return f"{kept}… (+{len(text) - len(kept):,})"


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]],
               progress: Callable[[int], None] | None = None,
               every: int = PROGRESS_EVERY) -> int:
    """Write the rows to ``path`` as an Excel workbook, atomically as ``write_csv`` does,
    with the same progress reports; returns how many rows were written.

    XlsxWriter streams the sheet (its constant-memory mode): each row goes to a scratch file
    as it is written, so memory stays flat. Numbers are number cells, naive datetimes
    date-time cells shown as ``yyyy-mm-dd hh:mm:ss``, None or "" an empty cell, and anything
    else a text cell written as text (never read as a number or a formula: a phone number
    keeps its leading zero, ``=1+1`` stays those characters). More rows than a sheet holds
    raise ``TooManyRows`` and nothing is written.
    """
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    every = _checked_interval(every)
    count = 0
    with _written_in_place(path) as temporary, \
            tempfile.TemporaryDirectory(prefix="callhelper-xlsx-",
                                        ignore_cleanup_errors=True) as scratch:
        workbook = xlsxwriter.Workbook(str(temporary), {"constant_memory": True,
                                                        "tmpdir": scratch})
        sheet = workbook.add_worksheet()
        heading = workbook.add_format({"bold": True, "bottom": 1})
        timestamp = workbook.add_format({"num_format": XLSX_TIME_FORMAT})
        for column, name in enumerate(header):
            sheet.write_string(0, column, fitting_text(str(name)), heading)
        sheet.freeze_panes(1, 0)
        for chunk in _in_chunks(rows, progress, every):
            if count == 0:
                for column, width in enumerate(_column_widths(header, chunk)):
                    sheet.set_column(column, column, width)
            check_sheet_rows(count + len(chunk))
            for row_number, row in enumerate(chunk, count + 1):
                for column, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    if isinstance(value, str):
                        sheet.write_string(row_number, column, fitting_text(value))
                    elif isinstance(value, datetime):
                        sheet.write_datetime(row_number, column, value, timestamp)
                    elif isinstance(value, (int, float)):
                        sheet.write_number(row_number, column, value)
                    else:
                        sheet.write_string(row_number, column, fitting_text(str(value)))
            count += len(chunk)
        sheet.autofilter(0, 0, max(count, 1), max(len(header) - 1, 0))
        try:
            workbook.close()
        except FileCreateError as error:  # the OSError it wraps, as the callers expect
            raise error.args[0] if error.args and isinstance(error.args[0], OSError) \
                else OSError(str(error)) from error
    return count


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]],
                progress: Callable[[int], None] | None = None, every: int = PROGRESS_EVERY,
                table_format: str = CSV) -> int:
    """``write_csv`` or ``write_xlsx``, as ``table_format`` says."""
    if table_format not in FORMATS:
        raise ValueError(f"unknown export format: {table_format!r}")
    write = write_xlsx if table_format == XLSX else write_csv
    return write(path, header, rows, progress, every)
