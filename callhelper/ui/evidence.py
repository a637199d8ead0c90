"""The harassment evidence of a case as files: a printable PDF report (A4) and CSV.

The report is laid out by a QTextDocument and painted page by page onto a QPdfWriter, so
its text stays text (searchable, copyable) and the fonts it uses are embedded; each page
carries a footer with the case, when and by whom the report was made, and its page number.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (QAbstractTextDocumentLayout, QColor, QFont, QFontMetricsF,
                           QPageLayout, QPageSize, QPainter, QPdfWriter, QPen, QTextDocument,
                           QTextTable)

from callhelper import __version__
from callhelper.core.case import CaseStatus, NoteKind
from callhelper.core.evidence import (CaseEvidence, EvidenceNote, FlaggedStatement, call_offset,
                                      flagged_by, handlers_text, local_time,
                                      write_evidence_csv)
from callhelper.core.flag_review import NoteFlag
from callhelper.core.flags import DemandRules
from callhelper.ui.labels import note_kind_tag, quoted, status_label

translate = QCoreApplication.translate

#: A sans-serif font for Latin text, then fonts with Japanese glyphs (Windows, macOS, Linux):
#: each character is drawn in the first installed one that has it.
REPORT_FONTS = ["Segoe UI", "Helvetica Neue", "Noto Sans", "DejaVu Sans", "Yu Gothic", "Meiryo",
                "Hiragino Sans", "Noto Sans CJK JP", "IPAPGothic", "IPAGothic"]
MARGINS_MM = QMarginsF(18, 16, 18, 12)
RESOLUTION = 600
FOOTER_GAP_PT = 10
MUTED = "#6b6b6b"
FLAG_COLOR = "#b71c1c"
EDITED_COLOR = "#8a4b00"
RULE_COLOR = "#b0b0b0"
#: A context note longer than this is shortened in the report (the CSV has it in full).
CONTEXT_CHARS = 200
#: Of the statements table, in per cent: no., time, statement, category, recorded by.
COLUMN_WIDTHS = (5, 17, 48, 18, 12)


def write_evidence(path: Path, evidence: CaseEvidence, rules: DemandRules, language: str,
                   agent: str, generated_at: datetime) -> None:
    """The report or the CSV, as the file's suffix says (.pdf or .csv)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such folder", str(folder))
    if path.suffix.lower() == ".csv":
        write_evidence_csv(path, evidence, rules, language)
    elif path.suffix.lower() == ".pdf":
        write_evidence_pdf(path, evidence, rules, language, agent, generated_at)
    else:
        raise ValueError(f"{path.name}: the evidence is written as .pdf or .csv")


def write_evidence_pdf(path: Path, evidence: CaseEvidence, rules: DemandRules, language: str,
                       agent: str, generated_at: datetime) -> None:
    """The printable report, written under a temporary name and renamed when complete, so a
    failure never leaves half a file."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    os.close(handle)
    try:
        _paint_report(temporary, evidence, rules, language, agent, generated_at)
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def report_title(evidence: CaseEvidence) -> str:
    return translate("EvidenceReport", "Harassment evidence — case #%1").replace(
        "%1", str(evidence.case_id))


def report_font() -> QFont:
    font = QFont()
    font.setFamilies(REPORT_FONTS)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSizeF(9.5)
    for ligature in ("liga", "clig"):
        # "fl" stays two letters, so the words can be found and copied as they were typed.
        font.setFeature(QFont.Tag(ligature), 0)
    return font


def _paint_report(filename: str, evidence: CaseEvidence, rules: DemandRules, language: str,
                  agent: str, generated_at: datetime) -> None:
    writer = QPdfWriter(filename)
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, MARGINS_MM,
                                     QPageLayout.Unit.Millimeter))
    writer.setTitle(report_title(evidence))
    writer.setCreator(f"CallHelper {__version__}" + (
        f"; audit trail {evidence.trail_end[0]}:{evidence.trail_end[1]}"
        if evidence.trail_end else ""))
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setDefaultFont(report_font())
    document.documentLayout().setPaintDevice(writer)
    document.setHtml(report_html(evidence, rules, language))
    area = QRectF(writer.pageLayout().paintRectPixels(writer.resolution()))
    area.moveTo(0, 0)
    footer = _Footer(writer, area, translate(
        "EvidenceReport", "Case #%1 · generated %2 by %3 · CallHelper %4")
        .replace("%1", str(evidence.case_id)).replace("%2", local_time(generated_at))
        .replace("%3", agent).replace("%4", __version__))
    document.setTextWidth(area.width())
    pages = _Pagination(document, area.height() - footer.height)

    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {filename}")
    try:
        for number, (top, bottom, repeat_header) in enumerate(pages.slices):
            if number:
                writer.newPage()
            offset = 0.0
            if repeat_header:
                _draw_slice(painter, document, *pages.header, 0.0, area.width())
                offset = pages.header[1] - pages.header[0]
            _draw_slice(painter, document, top, bottom, offset, area.width())
            footer.draw(painter, number + 1, len(pages.slices))
    finally:
        painter.end()


def _draw_slice(painter: QPainter, document: QTextDocument, top: float, bottom: float,
                at: float, width: float) -> None:
    """Paint the part of the document from ``top`` to ``bottom`` at ``at`` on the page."""
    painter.save()
    painter.translate(0, at - top)
    visible = QRectF(0, top, width, bottom - top)
    painter.setClipRect(visible)
    context = QAbstractTextDocumentLayout.PaintContext()
    context.clip = visible
    document.documentLayout().draw(painter, context)
    painter.restore()


class _Footer:
    """The line at the foot of every page: what the report is, and the page number."""

    def __init__(self, writer: QPdfWriter, area: QRectF, text: str) -> None:
        self._font = report_font()
        self._font.setPointSizeF(7.5)
        self._metrics = QFontMetricsF(self._font, writer)
        self._point = writer.resolution() / 72
        self._area = area
        self._text = text
        self.height = self._metrics.height() + FOOTER_GAP_PT * self._point

    def draw(self, painter: QPainter, page: int, pages: int) -> None:
        area, metrics, point = self._area, self._metrics, self._point
        rule = area.height() - metrics.height() - FOOTER_GAP_PT * point / 2
        painter.setPen(QPen(QColor(RULE_COLOR), 0.5 * point))
        painter.drawLine(QPointF(0, rule), QPointF(area.width(), rule))
        painter.setPen(QColor(MUTED))
        painter.setFont(self._font)
        line = QRectF(0, area.height() - metrics.height(), area.width(), metrics.height())
        number = translate("EvidenceReport", "Page %1 of %2").replace(
            "%1", str(page)).replace("%2", str(pages))
        room = line.width() - metrics.horizontalAdvance(number) - 6 * point
        painter.drawText(QRectF(line.left(), line.top(), room, line.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(self._text, Qt.TextElideMode.ElideRight, room))
        painter.drawText(line, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         number)


class _Pagination:
    """Where the pages of the laid-out report begin and end.

    Pages break between statements, never inside one (a call's heading stays with the first
    statement under it), and a page that continues the table repeats its heading row. Only
    a statement taller than a page breaks, between two lines of text.
    """

    def __init__(self, document: QTextDocument, page_height: float) -> None:
        layout = document.documentLayout()
        self._lines = sorted(
            layout.blockBoundingRect(block).top() + block.layout().lineAt(index).y()
            for block in _blocks(document) for index in range(block.layout().lineCount()))
        end = layout.documentSize().height()
        table = _statements_table(document)
        breaks = [end]
        self.header = (0.0, 0.0)
        body = (end, end)
        if table is not None:
            frame = layout.frameBoundingRect(table)
            rows = [_row_span(layout, table, row) for row in range(table.rows())]
            cuts = [frame.top()] + [top - (top - rows[row - 1][1]) / 4
                                    for row, (top, _bottom) in enumerate(rows) if row]
            self.header = (frame.top(), cuts[1] if len(cuts) > 1 else frame.bottom())
            body = (self.header[1], frame.bottom())
            breaks += [frame.top(), frame.bottom()]
            breaks += [cut for row, cut in enumerate(cuts[2:], 2)
                       if len(_row_cells(table, row - 1)) > 1]
        self._breaks = sorted(set(breaks))
        self.slices: list[tuple[float, float, bool]] = []
        top = 0.0
        while top < end:
            repeat = body[0] <= top < body[1]
            room = page_height - (self.header[1] - self.header[0] if repeat else 0)
            bottom = self._last_before(self._breaks, top, top + room)
            following = None if bottom is None else self._first_after(self._breaks, bottom)
            if bottom is None or (following is not None and following - bottom > room):
                # What comes next cannot fit on a page of its own: fill this one.
                bottom = self._last_before(self._lines, top, top + room) or top + room
            self.slices.append((top, bottom, repeat))
            top = bottom

    @staticmethod
    def _first_after(positions: list[float], after: float) -> float | None:
        return next((position for position in positions if position > after), None)

    @staticmethod
    def _last_before(positions: list[float], after: float, limit: float) -> float | None:
        fitting = [position for position in positions if after < position <= limit]
        return fitting[-1] if fitting else None


def _blocks(document: QTextDocument) -> Iterator:
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()


def _statements_table(document: QTextDocument) -> QTextTable | None:
    tables = [frame for frame in document.rootFrame().childFrames()
              if isinstance(frame, QTextTable)]
    return tables[-1] if tables else None


def _row_cells(table: QTextTable, row: int) -> list:
    """The cells that begin in ``row`` (one for a call's heading, which spans the row)."""
    cells = [table.cellAt(row, column) for column in range(table.columns())]
    return [cell for column, cell in enumerate(cells) if cell.column() == column]


def _row_span(layout: QAbstractTextDocumentLayout, table: QTextTable,
              row: int) -> tuple[float, float]:
    """Where the text of a table row begins and ends."""
    cells = _row_cells(table, row)
    return (min(layout.blockBoundingRect(cell.firstCursorPosition().block()).top()
                for cell in cells),
            max(layout.blockBoundingRect(cell.lastCursorPosition().block()).bottom()
                for cell in cells))


def report_html(evidence: CaseEvidence, rules: DemandRules, language: str) -> str:
    """The report's body as the rich text QTextDocument lays out."""
    return "".join([
        f"<h1 style='font-size:16pt; margin-bottom:2pt'>{escape(report_title(evidence))}</h1>",
        f"<p style='color:{MUTED}; margin-top:0; margin-bottom:10pt'>",
        escape(translate("EvidenceReport", "Statements an agent confirmed as harassment or "
                                           "flagged by hand, recorded word for word during the "
                                           "calls, with the notes taken just before and after "
                                           "them.")),
        "</p>",
        _details_html(evidence, rules, language),
        _statements_html(evidence, rules, language),
        _dismissed_html(evidence, rules, language),
        f"<p style='color:{MUTED}; font-size:8pt; margin-top:10pt'>",
        escape(translate("EvidenceReport", "The words are exactly as the agent recorded them "
                                           "during the call; card numbers were masked when "
                                           "they were recorded. Times are local time with "
                                           "their offset from UTC; the time into the call "
                                           "counts from the start of that call. Notes in grey "
                                           "are context: the note taken just before and just "
                                           "after the statement in the same call; a long one "
                                           "is shortened (…), the CSV export has it in "
                                           "full. Flags the detector suspected and no agent "
                                           "reviewed are not evidence and are only counted; "
                                           "dismissed ones are listed apart.")),
        "</p>",
        _trail_end_html(evidence),
    ])


def _trail_end_html(evidence: CaseEvidence) -> str:
    """The end of the audit trail when the report was made, for a later check that the
    database still holds it (``callhelper verify --against``)."""
    if evidence.trail_end is None:
        return ""
    entries, end = evidence.trail_end
    return "".join([
        f"<p style='color:{MUTED}; font-size:8pt; margin-top:6pt'>",
        escape(translate("EvidenceReport", "Audit trail when this report was made: %1 entries, "
                                           "the last one's hash %2. The database still holds "
                                           "this end unless it was cut short or rewritten "
                                           "since: check it with callhelper verify --against "
                                           "%1:%2 (or with this file).")
               .replace("%1", str(entries)).replace("%2", end)),
        "</p>"])


def _details_html(evidence: CaseEvidence, rules: DemandRules, language: str) -> str:
    status = status_label(CaseStatus(evidence.status)) \
        if evidence.status in set(CaseStatus) else evidence.status
    categories = ", ".join(rules.label(category, language) for category in evidence.categories)
    rows = [
        (translate("EvidenceReport", "Case"), f"#{evidence.case_id}"),
        (translate("EvidenceReport", "Subject"),
         evidence.subject or translate("EvidenceReport", "(no subject)")),
        (translate("EvidenceReport", "Customer"), evidence.customer_name or "—"),
        (translate("EvidenceReport", "Number"), evidence.customer_phone or "—"),
        (translate("EvidenceReport", "Opened"), local_time(evidence.opened_at)),
        (translate("EvidenceReport", "Status"), status),
        (translate("EvidenceReport", "Confirmed or flagged statements"),
         str(len(evidence.statements))),
        (translate("EvidenceReport", "Categories"), categories or "—"),
        (translate("EvidenceReport", "Suspected, not reviewed"), str(evidence.unreviewed)),
    ]
    cells = "".join(f"<tr><td width='22%' style='color:{MUTED}'>{escape(label)}</td>"
                    f"<td>{escape(value)}</td></tr>" for label, value in rows)
    return (f"<table width='100%' cellspacing='0' cellpadding='1' style='margin-bottom:12pt'>"
            f"{cells}</table>")


def _statements_html(evidence: CaseEvidence, rules: DemandRules, language: str) -> str:
    headings = [translate("EvidenceReport", "No."), translate("EvidenceReport", "Time"),
                translate("EvidenceReport", "Statement (context in grey)"),
                translate("EvidenceReport", "Category"),
                translate("EvidenceReport", "Recorded by")]
    head = "".join(f"<th align='left' width='{width}%' style='background-color:#eeeeee; "
                   f"font-size:8.5pt; border-bottom:1px solid {RULE_COLOR}'>"
                   f"{escape(text)}</th>" for text, width in zip(headings, COLUMN_WIDTHS))
    rows = []
    for number, statement, new_call in _numbered(evidence):
        if new_call:
            rows.append(f"<tr><td colspan='5' style='background-color:#f6f6f6; "
                        f"border-bottom:1px solid {RULE_COLOR}'>"
                        f"<b>{escape(_call_heading(statement))}</b></td></tr>")
        rows.append(_statement_row(number, statement, rules, language))
    return (f"<table width='100%' cellspacing='0' cellpadding='4' "
            f"style='border-collapse:collapse'>"
            f"<thead><tr>{head}</tr></thead>{''.join(rows)}</table>")


def _numbered(evidence: CaseEvidence) -> Iterator[tuple[int, FlaggedStatement, bool]]:
    previous = None
    for number, statement in enumerate(evidence.statements, 1):
        yield number, statement, statement.contact.contact_id != previous
        previous = statement.contact.contact_id


def _call_heading(statement: FlaggedStatement) -> str:
    contact = statement.contact
    senior = translate("EvidenceReport", "senior")
    heading = translate("EvidenceReport", "Call started %1 · handled by %2").replace(
        "%1", local_time(contact.started_at)).replace("%2", handlers_text(contact, senior))
    if contact.phone:
        heading += " · " + translate("EvidenceReport", "from %1").replace("%1", contact.phone)
    return heading


def _statement_row(number: int, statement: FlaggedStatement, rules: DemandRules,
                   language: str) -> str:
    note = statement.note
    day, clock = local_time(note.recorded_at).split(" ", 1)
    into_call = translate("EvidenceReport", "%1 into the call").replace("%1", call_offset(note))
    time_cell = (f"<span style='font-size:8.5pt'>{escape(day)}<br>{escape(clock)}</span>"
                 f"<br><span style='color:{MUTED}; font-size:8pt'>{escape(into_call)}</span>")
    words = (f"<p style='margin-top:3pt; margin-bottom:3pt; white-space:pre-wrap; "
             f"font-size:10.5pt'>{escape(note.text)}</p>")
    if note.edited_at is not None:
        edited = translate("EvidenceReport", "Edited %1; the words as first recorded are kept "
                                             "in the audit trail.")
        words += (f"<p style='color:{EDITED_COLOR}; font-size:8pt; margin-top:0; "
                  f"margin-bottom:3pt'>"
                  f"{escape(edited.replace('%1', local_time(note.edited_at)))}</p>")
    statement_cell = (_context_html(statement.before) + words +
                      _context_html(statement.after))
    categories = "<br>".join(
        f"<span style='color:{FLAG_COLOR}'>{escape(rules.label(flag.category, language))}</span>"
        f"<br><span style='color:{MUTED}; font-size:8pt'>{escape(_flagged_by(flag))}</span>"
        for flag in note.evidence_flags)
    return "".join(["<tr>", _cell(str(number)), _cell(time_cell), _cell(statement_cell),
                    _cell(categories), _cell(escape(note.agent)), "</tr>"])


def _flagged_by(flag: NoteFlag) -> str:
    return flagged_by(flag, translate("EvidenceReport", "confirmed by"),
                      translate("EvidenceReport", "added by"), translate("EvidenceReport", "at"))


def _dismissed_html(evidence: CaseEvidence, rules: DemandRules, language: str) -> str:
    """The suspicions agents dismissed, as lines after the table: not evidence, but the
    reader sees that they were looked at, by whom and when."""
    if not evidence.dismissed:
        return ""
    lines = [translate("EvidenceReport", "%1 into the call · %2 — dismissed by %3 at %4")
             .replace("%1", call_offset(item.note))
             .replace("%2", rules.label(item.flag.category, language))
             .replace("%3", item.flag.by)
             .replace("%4", local_time(item.flag.at) if item.flag.at else "—")
             for item in evidence.dismissed]
    heading = translate("EvidenceReport", "Suspicions dismissed by an agent (not evidence)")
    return (f"<p style='margin-top:12pt; margin-bottom:2pt'><b>{escape(heading)}</b></p>" +
            "".join(f"<p style='color:{MUTED}; font-size:8.5pt; margin:0'>{escape(line)}</p>"
                    for line in lines))


def _cell(content: str, style: str = "") -> str:
    return f"<td style='border-bottom:1px solid {RULE_COLOR}; {style}'>{content}</td>"


def _context_html(note: EvidenceNote | None) -> str:
    if note is None:
        return ""
    text = _shortened(note.text)
    if note.kind == NoteKind.QUOTE.value:
        shown = quoted(text)
    elif note.kind in set(NoteKind):
        shown = f"{note_kind_tag(NoteKind(note.kind))} {text}"
    else:
        shown = text
    return (f"<p style='color:{MUTED}; font-size:8pt; margin:0; white-space:pre-wrap'>"
            f"{escape(call_offset(note))}  {escape(shown)}</p>")


def _shortened(text: str) -> str:
    return text if len(text) <= CONTEXT_CHARS else text[:CONTEXT_CHARS].rstrip() + "…"
