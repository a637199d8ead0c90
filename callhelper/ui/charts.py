"""Small charts for the supervisor's summary page, painted with QPainter.

Three widgets share one look and one way of working:

- ``BarChart``: a vertical bar per category (calls per day, escalations per week), with an
  optional horizontal target line;
- ``HorizontalBarChart``: a labelled bar per row (flagged statements per category, handle
  time per checklist step), each optionally with its own target marker; a bar over its target
  is drawn in the warning colour;
- ``StackedBarChart``: several series stacked per category (subjects per week, open items by
  age), with a legend.

Each takes plain Python data through ``set_data``; ``title`` and ``value_format`` (how a value
reads on labels and tooltips, e.g. ``minutes_seconds``) are properties. Every geometry the
paint code and the tooltips need is computed in a layout step whenever the data, the size, the
font or the language change, so painting only draws and hovering only looks rectangles up.
``bar_rects()`` and ``tooltip_at()`` expose that geometry.

Colours come from Paul Tol's colour-blind safe "bright" scheme, which reads on light and dark
backgrounds alike; text, gridlines and axes take their colour from the widget's palette.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QHelpEvent, QMouseEvent, QPainter,
                           QPaintEvent, QPalette, QPen, QResizeEvent)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

ValueFormat = Callable[[float], str]

BAR_COLOR = QColor("#4477AA")
WARNING_COLOR = QColor("#EE6677")
SERIES_COLORS = tuple(QColor(name) for name in
                      ("#4477AA", "#CCBB44", "#66CCEE", "#AA3377", "#228833", "#BBBBBB"))

# Round steps for an axis of durations in seconds, to go with ``minutes_seconds``.
DURATION_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)

MAX_TOOLTIP_LINES = 15

_DECIMAL_MULTIPLES = (1, 2, 2.5, 5, 10)
_INTEGER_MULTIPLES = (1, 2, 5, 10)


def format_number(value: float) -> str:
    """1,234 for whole numbers, 12.5 otherwise."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def minutes_seconds(seconds: float) -> str:
    """m:ss, or h:mm:ss from an hour on: 95 → 1:35."""
    total = round(seconds)
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes}:{secs:02d}"


def nice_ticks(maximum: float, max_count: int = 5, *, integer: bool = False,
               steps: Sequence[float] | None = None) -> list[float]:
    """Evenly spaced round values from 0 up to the first at or above ``maximum``.

    At most ``max_count`` intervals. The step is 1, 2, 2.5 or 5 times a power of ten (no 2.5
    and nothing below 1 when ``integer``), or the first of ``steps`` that is large enough
    (multiples of the last one beyond them).
    """
    max_count = max(1, max_count)
    maximum = max(float(maximum), 0.0)
    if maximum == 0:
        maximum = steps[0] if steps else 1.0
    raw = maximum / max_count
    if steps:
        step = next((float(s) for s in steps if s >= raw), None)
        if step is None:
            step = float(steps[-1]) * math.ceil(raw / steps[-1])
    else:
        if integer:
            raw = max(raw, 1.0)
        power = 10.0 ** math.floor(math.log10(raw))
        multiples = _INTEGER_MULTIPLES if integer else _DECIMAL_MULTIPLES
        step = next(m * power for m in multiples if m * power >= raw * (1 - 1e-9))
    count = max(1, math.ceil(maximum / step - 1e-9))
    return [i * step for i in range(count + 1)]


def _checked(values: Sequence[float], length: int, what: str) -> list[float]:
    if len(values) != length:
        raise ValueError(f"{what}: {len(values)} values for {length} categories")
    checked = [float(value) for value in values]
    if any(not math.isfinite(value) or value < 0 for value in checked):
        raise ValueError(f"{what}: values must be finite and not negative")
    return checked


def _all_whole(values: Sequence[float]) -> bool:
    return all(float(value).is_integer() for value in values)


def _with_alpha(color: QColor, alpha: float) -> QColor:
    result = QColor(color)
    result.setAlphaF(alpha)
    return result


def _crisp(coordinate: float) -> float:
    """The centre of the pixel row or column, so a 1 px line is not smeared over two."""
    return math.floor(coordinate) + 0.5


@dataclass
class _HitArea:
    """A region that answers the mouse: its tooltip and, for bars, what to highlight."""

    rect: QRectF
    tooltip: str
    hover: tuple | None = None


@dataclass
class _Text:
    text: str
    rect: QRectF


class ChartWidget(QWidget):
    """What every chart shares: title, empty state, hover, tooltips and the layout cycle.

    Subclasses say whether they have data, lay out their content into a rectangle and paint
    it; they register what the mouse can point at with ``_add_area``.
    """

    def __init__(self, title: str = "", value_format: ValueFormat | None = None,
                 parent: QWidget | None = None) -> None:
        # Subclasses set their own state before calling this, and this sets the shared state
        # before QWidget's: a font or style change can ask for a layout at any time.
        self._title = title
        self._value_format: ValueFormat = value_format or format_number
        self._areas: list[_HitArea] = []
        self._hovered: tuple | None = None
        self._title_text = _Text("", QRectF())
        self._header = QRectF()
        self._content = QRectF()
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(title)

    # -- properties ---------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return self._title

    @title.setter
    def title(self, text: str) -> None:
        self._title = text
        self.setAccessibleName(text)
        self._relayout()

    @property
    def value_format(self) -> ValueFormat:
        return self._value_format

    @value_format.setter
    def value_format(self, value_format: ValueFormat | None) -> None:
        self._value_format = value_format or format_number
        self._relayout()

    def has_data(self) -> bool:
        raise NotImplementedError

    def empty_text(self) -> str:
        return self.tr("No data")

    # -- what tests and callers can inspect -----------------------------------------------------

    def tooltip_at(self, point: QPoint | QPointF) -> str:
        """The tooltip the chart shows with the mouse at ``point``; empty where it shows none."""
        area = self._area_at(QPointF(point))
        return area.tooltip if area else ""

    def title_text(self) -> str:
        """The title as painted, elided when the chart is narrow."""
        return self._title_text.text

    # -- sizes --------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(400, 220)

    def minimumSizeHint(self) -> QSize:
        line = math.ceil(self._metrics().height())
        return QSize(14 * line, 9 * line)

    # -- layout -------------------------------------------------------------------------------

    def _metrics(self, font: QFont | None = None) -> QFontMetricsF:
        return QFontMetricsF(font or self.font(), self)

    def _bold_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _title_font(self) -> QFont:
        return self._bold_font()

    def _padding(self) -> float:
        return round(self._metrics().height() * 0.5)

    def _relayout(self) -> None:
        self._areas = []
        pad = self._padding()
        content = QRectF(self.rect()).adjusted(pad, pad * 0.75, -pad, -pad * 0.75)
        self._title_text = _Text("", QRectF())
        self._header = QRectF()
        aside = self._header_width() if self.has_data() else 0.0
        if self._title or aside:
            metrics = self._metrics(self._title_font())
            self._header = QRectF(content.left(), content.top(), content.width(),
                                  metrics.height())
            room = self._header.width() - (aside + 2 * pad if aside else 0)
            shown = metrics.elidedText(self._title, Qt.TextElideMode.ElideRight, max(room, 0))
            rect = QRectF(self._header.left(), self._header.top(),
                          min(metrics.horizontalAdvance(shown) + 1, max(room, 0)),
                          self._header.height())
            self._title_text = _Text(shown, rect)
            if shown != self._title:
                self._add_area(rect, escape(self._title))
            content.setTop(self._header.bottom() + pad * 0.75)
        self._content = content
        self._clear_layout()
        if self.has_data() and content.width() > 0 and content.height() > 0:
            self._layout_content(content)
        if self._hovered is not None and not any(a.hover == self._hovered for a in self._areas):
            self._hovered = None
        self.update()

    def _clear_layout(self) -> None:
        """Forget the geometry of the data laid out last."""

    def _layout_content(self, content: QRectF) -> None:
        raise NotImplementedError

    def _header_width(self) -> float:
        """Room a subclass wants at the right end of the title row (e.g. for a legend)."""
        return 0.0

    def _add_area(self, rect: QRectF, tooltip: str, hover: tuple | None = None) -> None:
        self._areas.append(_HitArea(QRectF(rect), tooltip, hover))

    def _area_at(self, point: QPointF) -> _HitArea | None:
        return next((area for area in self._areas if area.rect.contains(point)), None)

    # -- colours ------------------------------------------------------------------------------

    def _text_color(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.WindowText)

    def _muted_text_color(self) -> QColor:
        return _with_alpha(self._text_color(), 0.68)

    def _grid_color(self) -> QColor:
        return _with_alpha(self._text_color(), 0.12)

    def _axis_color(self) -> QColor:
        return _with_alpha(self._text_color(), 0.45)

    def _background_color(self) -> QColor:
        return self.palette().color(self.backgroundRole())

    def _fill(self, color: QColor, hover: tuple) -> QColor:
        if hover == self._hovered:
            return color.lighter(118) if color.lightnessF() < 0.75 else color.darker(112)
        return color

    # -- events -------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                            QEvent.Type.LanguageChange):
            self._relayout()
        elif event.type() == QEvent.Type.PaletteChange:
            self.update()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            area = self._area_at(QPointF(event.pos()))
            if area is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), area.tooltip, self,
                                  area.rect.toAlignedRect())
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        area = self._area_at(event.position())
        self._set_hovered(area.hover if area else None)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._set_hovered(None)
        super().leaveEvent(event)

    def _set_hovered(self, hover: tuple | None) -> None:
        if hover != self._hovered:
            self._hovered = hover
            self.update()

    # -- painting -----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing
                               | QPainter.RenderHint.TextAntialiasing)
        if self._title_text.text:
            painter.setFont(self._title_font())
            painter.setPen(self._text_color())
            painter.drawText(self._title_text.rect,
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self._title_text.text)
        painter.setFont(self.font())
        if not self.has_data():
            painter.setPen(self._muted_text_color())
            painter.drawText(self._content, Qt.AlignmentFlag.AlignCenter, self.empty_text())
        elif self._content.width() > 0 and self._content.height() > 0:
            self._paint_content(painter)
        painter.end()

    def _paint_content(self, painter: QPainter) -> None:
        raise NotImplementedError

    def _draw_texts(self, painter: QPainter, texts: Sequence[_Text], color: QColor,
                    alignment: Qt.AlignmentFlag) -> None:
        painter.setPen(color)
        for text in texts:
            painter.drawText(text.rect, alignment, text.text)


class _ColumnChart(ChartWidget):
    """Vertical columns over categories: y axis with round ticks, thinned category labels."""

    def __init__(self, title: str = "", value_format: ValueFormat | None = None,
                 parent: QWidget | None = None) -> None:
        self._tick_steps: tuple[float, ...] | None = None
        self._categories: list[str] = []
        self._plot = QRectF()
        self._ticks: list[tuple[float, float, _Text]] = []
        self._maximum = 1.0
        self._slot = 0.0
        self._category_labels: list[_Text] = []
        self._value_labels: list[_Text] = []
        super().__init__(title, value_format, parent)

    @property
    def tick_steps(self) -> tuple[float, ...] | None:
        """Round steps for the y axis, e.g. ``DURATION_STEPS``; None for 1, 2, 2.5, 5 × 10ⁿ."""
        return self._tick_steps

    @tick_steps.setter
    def tick_steps(self, steps: Sequence[float] | None) -> None:
        self._tick_steps = tuple(sorted(steps)) if steps else None
        self._relayout()

    def has_data(self) -> bool:
        return bool(self._categories)

    def plot_rect(self) -> QRectF:
        """The area the bars stand in; its bottom edge is zero, its top ``y_ticks()[-1]``."""
        return QRectF(self._plot)

    def y_ticks(self) -> list[float]:
        return [value for value, _, _ in self._ticks]

    def axis_labels(self) -> list[tuple[str, QRectF]]:
        """The category labels as painted (thinned out and elided when crowded)."""
        return [(label.text, QRectF(label.rect)) for label in self._category_labels]

    def value_labels(self) -> list[tuple[str, QRectF]]:
        """The labels over the bars; none when the bars are too narrow for them."""
        return [(label.text, QRectF(label.rect)) for label in self._value_labels]

    def _domain_maximum(self) -> float:
        raise NotImplementedError

    def _domain_is_whole(self) -> bool:
        raise NotImplementedError

    def _clear_layout(self) -> None:
        self._plot = QRectF()
        self._ticks = []
        self._slot = 0.0
        self._category_labels = []
        self._value_labels = []

    def _layout_axes(self, content: QRectF) -> None:
        metrics = self._metrics()
        line = metrics.height()
        pad = self._padding()
        top = content.top() + line + 2
        bottom = content.bottom() - line - pad * 0.5
        height = max(bottom - top, 1.0)
        max_count = max(1, min(8, int(height / (line * 1.6))))
        values = nice_ticks(self._domain_maximum(), max_count,
                            integer=self._domain_is_whole(), steps=self._tick_steps)
        self._maximum = values[-1]
        labels = [self._value_format(value) for value in values]
        label_width = max(metrics.horizontalAdvance(label) for label in labels)
        left = content.left() + label_width + pad
        self._plot = QRectF(left, top, max(content.right() - left, 1.0), height)
        self._ticks = []
        for value, label in zip(values, labels):
            y = self._y_of(value)
            rect = QRectF(content.left(), y - line / 2, label_width, line)
            self._ticks.append((value, y, _Text(label, rect)))
        self._slot = self._plot.width() / len(self._categories)
        self._layout_category_labels(content, bottom + pad * 0.5)

    def _y_of(self, value: float) -> float:
        return self._plot.bottom() - value / self._maximum * self._plot.height()

    def _column(self, index: int) -> QRectF:
        return QRectF(self._plot.left() + index * self._slot, self._plot.top(), self._slot,
                      self._plot.height())

    def _bar_span(self, index: int) -> tuple[float, float]:
        """Left edge and width of the bar in column ``index``."""
        line = self._metrics().height()
        gap = max(1.0, self._slot * 0.3) if self._slot > 3 else 0.0
        width = min(self._slot - gap, line * 3.2)
        width = max(width, min(1.0, self._slot))
        left = self._plot.left() + (index + 0.5) * self._slot - width / 2
        return left, width

    def _layout_category_labels(self, content: QRectF, top: float) -> None:
        metrics = self._metrics()
        line = metrics.height()
        gap = metrics.horizontalAdvance("  ")
        widths = [metrics.horizontalAdvance(category) for category in self._categories]
        widest = max(widths)
        if widest + gap <= self._slot:
            step, room = 1, widest
        elif self._slot - gap >= widest * 0.75:
            step, room = 1, self._slot - gap
        else:
            wanted = min(widest, max(line * 6, self._slot - gap))
            step = max(1, math.ceil((wanted + gap) / self._slot))
            room = step * self._slot - gap
        labels: list[_Text] = []
        for index in range(0, len(self._categories), step):
            category = self._categories[index]
            shown = metrics.elidedText(category, Qt.TextElideMode.ElideRight, room)
            width = min(metrics.horizontalAdvance(shown), room) + 1
            centre = self._plot.left() + (index + 0.5) * self._slot
            left = min(max(centre - width / 2, content.left()), content.right() - width)
            rect = QRectF(left, top, width, line)
            if labels and rect.left() < labels[-1].rect.right() + gap:
                continue
            labels.append(_Text(shown, rect))
            if shown != category:
                self._add_area(rect, escape(category))
        self._category_labels = labels

    def _layout_value_labels(self, totals: Sequence[float], tops: Sequence[float]) -> None:
        """Value labels over the bars, or none when any would be wider than its column."""
        metrics = self._metrics()
        texts = [self._value_format(total) for total in totals]
        widths = [metrics.horizontalAdvance(text) for text in texts]
        self._value_labels = []
        if max(widths) + 2 > self._slot:
            return
        line = metrics.height()
        for index, (text, width, top) in enumerate(zip(texts, widths, tops)):
            centre = self._plot.left() + (index + 0.5) * self._slot
            self._value_labels.append(
                _Text(text, QRectF(centre - width / 2 - 1, top - line - 1, width + 2, line)))

    def _paint_axes(self, painter: QPainter) -> None:
        left, right = self._plot.left(), self._plot.right()
        for value, y, _ in self._ticks:
            if value == 0:
                continue
            painter.setPen(QPen(self._grid_color(), 1))
            painter.drawLine(QLineF(left, _crisp(y), right, _crisp(y)))
        self._draw_texts(painter, [label for _, _, label in self._ticks], self._muted_text_color(),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._draw_texts(painter, self._category_labels, self._muted_text_color(),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)

    def _paint_baseline(self, painter: QPainter) -> None:
        y = _crisp(self._plot.bottom())
        painter.setPen(QPen(self._axis_color(), 1))
        painter.drawLine(QLineF(self._plot.left(), y, self._plot.right(), y))

    def _paint_value_labels(self, painter: QPainter) -> None:
        """Value labels on a patch of background, so lines behind them do not cross them."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._background_color())
        for label in self._value_labels:
            painter.drawRoundedRect(label.rect, 2, 2)
        self._draw_texts(painter, self._value_labels, self._text_color(),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)


class BarChart(_ColumnChart):
    """A vertical bar per category, its value over it, and an optional target line."""

    def __init__(self, title: str = "", value_format: ValueFormat | None = None,
                 parent: QWidget | None = None) -> None:
        self._values: list[float] = []
        self._target: float | None = None
        self._bars: list[QRectF] = []
        self._target_line: QLineF | None = None
        self._target_label = _Text("", QRectF())
        super().__init__(title, value_format, parent)

    def set_data(self, categories: Sequence[str], values: Sequence[float],
                 target: float | None = None) -> None:
        """One bar per category; ``target`` draws a dashed line across at that value."""
        self._values = _checked(values, len(categories), "values")
        self._categories = [str(category) for category in categories]
        if target is not None:
            _checked([target], 1, "target")
        self._target = None if target is None else float(target)
        self._relayout()

    def categories(self) -> list[str]:
        return list(self._categories)

    def values(self) -> list[float]:
        return list(self._values)

    def target(self) -> float | None:
        return self._target

    def bar_rects(self) -> list[QRectF]:
        """Each category's bar, in widget coordinates."""
        return [QRectF(rect) for rect in self._bars]

    def target_line(self) -> QLineF | None:
        return QLineF(self._target_line) if self._target_line is not None else None

    def _clear_layout(self) -> None:
        super()._clear_layout()
        self._bars = []
        self._target_line = None
        self._target_label = _Text("", QRectF())

    def _domain_maximum(self) -> float:
        return max([*self._values, self._target or 0.0])

    def _domain_is_whole(self) -> bool:
        return _all_whole([*self._values, self._target or 0.0])

    def _layout_content(self, content: QRectF) -> None:
        self._layout_axes(content)
        for index, value in enumerate(self._values):
            left, width = self._bar_span(index)
            top = self._y_of(value)
            self._bars.append(QRectF(left, top, width, self._plot.bottom() - top))
        self._layout_value_labels(self._values, [bar.top() for bar in self._bars])
        self._layout_target()
        for index, (category, value) in enumerate(zip(self._categories, self._values)):
            self._add_area(self._column(index), self._tooltip(category, value), ("bar", index))

    def target_label(self) -> tuple[str, QRectF] | None:
        """The target's legend entry at the right of the title row: text and rectangle."""
        if self._target_line is None:
            return None
        return self._target_label.text, QRectF(self._target_label.rect)

    def _target_text(self) -> str:
        return self.tr("Target: %1").replace("%1", self._value_format(self._target or 0.0))

    def _header_width(self) -> float:
        if self._target is None:
            return 0.0
        return self._sample_width() + 4 + self._metrics().horizontalAdvance(self._target_text()) + 1

    def _sample_width(self) -> float:
        return round(self._metrics().height() * 1.4)

    def _layout_target(self) -> None:
        if self._target is None:
            return
        y = self._y_of(self._target)
        self._target_line = QLineF(self._plot.left(), y, self._plot.right(), y)
        text = self._target_text()
        width = self._header_width()
        self._target_label = _Text(text, QRectF(self._header.right() - width, self._header.top(),
                                                width, self._header.height()))

    def _tooltip(self, category: str, value: float) -> str:
        lines = [f"<b>{escape(category)}</b>", escape(self._value_format(value))]
        if self._target is not None:
            lines.append(escape(self._target_text()))
        return "<br>".join(lines)

    def _paint_content(self, painter: QPainter) -> None:
        self._paint_axes(painter)
        painter.setPen(Qt.PenStyle.NoPen)
        for index, bar in enumerate(self._bars):
            painter.setBrush(self._fill(BAR_COLOR, ("bar", index)))
            painter.drawRect(bar)
        self._paint_baseline(painter)
        if self._target_line is not None:
            pen = self._target_pen()
            painter.setPen(pen)
            painter.drawLine(self._target_line)
            label = self._target_label
            y = _crisp(label.rect.center().y())
            sample = self._sample_width()
            painter.drawLine(QLineF(label.rect.left(), y, label.rect.left() + sample, y))
            painter.setPen(self._muted_text_color())
            painter.drawText(label.rect.adjusted(sample + 4, 0, 0, 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             label.text)
        self._paint_value_labels(painter)

    def _target_pen(self) -> QPen:
        pen = QPen(_with_alpha(self._text_color(), 0.8), 1.5)
        pen.setDashPattern([3, 2.5])
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        return pen


class StackedBarChart(_ColumnChart):
    """Series stacked per category, the first at the bottom, with a legend above."""

    def __init__(self, title: str = "", value_format: ValueFormat | None = None,
                 parent: QWidget | None = None) -> None:
        self._series: list[tuple[str, list[float]]] = []
        self._colors: list[QColor] = list(SERIES_COLORS)
        self._segments: list[list[QRectF]] = []
        self._bars: list[QRectF] = []
        self._legend: list[tuple[QRectF, _Text]] = []
        super().__init__(title, value_format, parent)

    def set_data(self, categories: Sequence[str], series: Mapping[str, Sequence[float]],
                 colors: Sequence[QColor | str] | None = None) -> None:
        """``series`` maps each series' name to its values, one per category, in stack order.

        ``colors`` overrides the palette, one per series (e.g. grey for "other").
        """
        self._series = [(str(name), _checked(values, len(categories), f"series {name!r}"))
                        for name, values in series.items()]
        self._categories = [str(category) for category in categories] if self._series else []
        self._colors = [QColor(color) for color in colors] if colors else list(SERIES_COLORS)
        self._relayout()

    def categories(self) -> list[str]:
        return list(self._categories)

    def series_names(self) -> list[str]:
        return [name for name, _ in self._series]

    def totals(self) -> list[float]:
        return [sum(values[i] for _, values in self._series) for i in range(len(self._categories))]

    def series_color(self, index: int) -> QColor:
        color = QColor(self._colors[index % len(self._colors)])
        return color if index < len(self._colors) else color.lighter(130)

    def bar_rects(self) -> list[QRectF]:
        """Each category's whole stack."""
        return [QRectF(rect) for rect in self._bars]

    def segment_rects(self) -> list[list[QRectF]]:
        """Per category, one rectangle per series (empty for a zero value)."""
        return [[QRectF(rect) for rect in column] for column in self._segments]

    def legend_items(self) -> list[tuple[str, QRectF]]:
        """Each series' legend entry as painted (elided when long) and its rectangle."""
        return [(text.text, QRectF(text.rect)) for _, text in self._legend]

    def _clear_layout(self) -> None:
        super()._clear_layout()
        self._segments = []
        self._bars = []
        self._legend = []

    def _domain_maximum(self) -> float:
        return max(self.totals())

    def _domain_is_whole(self) -> bool:
        return all(_all_whole(values) for _, values in self._series)

    def _layout_content(self, content: QRectF) -> None:
        legend_bottom = self._layout_legend(content)
        content = QRectF(content)
        content.setTop(legend_bottom + self._padding() * 0.5)
        self._layout_axes(content)
        totals = self.totals()
        for index in range(len(self._categories)):
            left, width = self._bar_span(index)
            base = self._plot.bottom()
            column = []
            for _, values in self._series:
                top = self._y_of(values[index]) - self._plot.bottom() + base
                column.append(QRectF(left, top, width, base - top))
                base = top
            self._segments.append(column)
            self._bars.append(QRectF(left, base, width, self._plot.bottom() - base))
        self._layout_value_labels(totals, [bar.top() for bar in self._bars])
        for index, column in enumerate(self._segments):
            for position, rect in enumerate(column):
                if rect.height() > 0:
                    self._add_area(rect, self._tooltip(index, position),
                                   ("segment", index, position))
        for index in range(len(self._categories)):
            self._add_area(self._column(index), self._tooltip(index, None))

    def _layout_legend(self, content: QRectF) -> float:
        """Legend entries flowing left to right under the title; returns their bottom edge."""
        metrics = self._metrics()
        line = metrics.height()
        swatch = round(line * 0.7)
        spacing = metrics.horizontalAdvance("M") * 1.2
        x, y = content.left(), content.top()
        for position, (name, _) in enumerate(self._series):
            room = content.width() - swatch - 4
            shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room)
            width = swatch + 4 + metrics.horizontalAdvance(shown) + 1
            if x > content.left() and x + width > content.right():
                x, y = content.left(), y + line + 2
            box = QRectF(x, y + (line - swatch) / 2, swatch, swatch)
            text = _Text(shown, QRectF(x + swatch + 4, y, width - swatch - 4, line))
            self._legend.append((box, text))
            self._add_area(QRectF(x, y, width, line), escape(name), ("series", position))
            x += width + spacing
        return y + line

    def _tooltip(self, index: int, hovered: int | None) -> str:
        rows = []
        for position in reversed(range(len(self._series))):
            name, values = self._series[position]
            swatch = f'<span style="color:{self.series_color(position).name()}">■</span>'
            cells = (f"{swatch} {escape(name)}", escape(self._value_format(values[index])))
            if position == hovered:
                cells = tuple(f"<b>{cell}</b>" for cell in cells)
            rows.append(f'<tr><td>{cells[0]}</td><td align="right">&nbsp;{cells[1]}</td></tr>')
        total = escape(self._value_format(self.totals()[index]))
        label = escape(self.tr("Total"))
        rows.append(f'<tr><td>{label}</td><td align="right">&nbsp;{total}</td></tr>')
        return f"<b>{escape(self._categories[index])}</b><table>{''.join(rows)}</table>"

    def _paint_content(self, painter: QPainter) -> None:
        self._paint_axes(painter)
        separator = QPen(self._background_color(), 1)
        for index, column in enumerate(self._segments):
            for position, rect in enumerate(column):
                if rect.height() <= 0:
                    continue
                hover = self._hovered
                highlighted = hover in (("segment", index, position), ("series", position))
                color = self.series_color(position)
                if highlighted:
                    color = color.lighter(118) if color.lightnessF() < 0.75 else color.darker(112)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                painter.drawRect(rect)
                if position and rect.height() > 2 and column[position - 1].height() > 0:
                    painter.setPen(separator)
                    painter.drawLine(QLineF(rect.left(), rect.bottom(), rect.right(),
                                            rect.bottom()))
        self._paint_baseline(painter)
        self._paint_value_labels(painter)
        painter.setPen(Qt.PenStyle.NoPen)
        for position, (box, _) in enumerate(self._legend):
            painter.setBrush(self.series_color(position))
            painter.drawRoundedRect(box, 2, 2)
        self._draw_texts(painter, [text for _, text in self._legend], self._text_color(),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class HorizontalBarChart(ChartWidget):
    """A labelled bar per row, optionally each with its own target marker.

    A bar whose value is over its target is drawn in the warning colour. Labels too long for
    their column are elided; the tooltip gives the full text.
    """

    def __init__(self, title: str = "", value_format: ValueFormat | None = None,
                 parent: QWidget | None = None) -> None:
        self._labels: list[str] = []
        self._values: list[float] = []
        self._targets: list[float | None] = []
        self._bars: list[QRectF] = []
        self._markers: list[QLineF | None] = []
        self._row_labels: list[_Text] = []
        self._value_texts: list[_Text] = []
        self._more = _Text("", QRectF())
        self._legend: list[tuple[str, QRectF, _Text]] = []
        super().__init__(title, value_format, parent)

    def set_data(self, labels: Sequence[str], values: Sequence[float],
                 targets: Sequence[float | None] | None = None) -> None:
        """One row per label, top to bottom; ``targets`` gives each row's target or None."""
        self._values = _checked(values, len(labels), "values")
        self._labels = [str(label) for label in labels]
        targets = list(targets) if targets is not None else [None] * len(labels)
        if len(targets) != len(labels):
            raise ValueError(f"targets: {len(targets)} values for {len(labels)} rows")
        _checked([t for t in targets if t is not None], sum(t is not None for t in targets),
                 "targets")
        self._targets = [None if t is None else float(t) for t in targets]
        self._relayout()

    def has_data(self) -> bool:
        return bool(self._labels)

    def labels(self) -> list[str]:
        return list(self._labels)

    def values(self) -> list[float]:
        return list(self._values)

    def over_target(self) -> list[bool]:
        """Per row, whether its value is over its target (and so drawn as a warning)."""
        return [target is not None and value > target
                for value, target in zip(self._values, self._targets)]

    def bar_rects(self) -> list[QRectF]:
        """Each shown row's bar; rows that do not fit are summed up as "N more" instead."""
        return [QRectF(rect) for rect in self._bars]

    def target_markers(self) -> list[QLineF | None]:
        """Each shown row's target marker, a vertical line across its bar; None without one."""
        return [QLineF(marker) if marker is not None else None for marker in self._markers]

    def row_labels(self) -> list[tuple[str, QRectF]]:
        """Each shown row's label as painted (elided when long) and its rectangle."""
        return [(label.text, QRectF(label.rect)) for label in self._row_labels]

    def value_labels(self) -> list[tuple[str, QRectF]]:
        """Each shown row's value as painted at the end of its bar, and its rectangle."""
        return [(text.text, QRectF(text.rect)) for text in self._value_texts]

    def hidden_rows(self) -> int:
        return len(self._labels) - len(self._bars) if self._labels else 0

    def _clear_layout(self) -> None:
        self._bars, self._markers, self._row_labels, self._value_texts = [], [], [], []
        self._more = _Text("", QRectF())
        self._legend = []

    def bar_color(self, index: int) -> QColor:
        return QColor(WARNING_COLOR if self.over_target()[index] else BAR_COLOR)

    def sizeHint(self) -> QSize:
        line = self._metrics().height()
        rows = min(max(len(self._labels), 4), 12)
        height = line * 1.6 * rows + line * (2.2 if self._title else 1)
        if any(target is not None for target in self._targets):
            height += line * 1.4
        return QSize(400, max(220, math.ceil(height + line)))

    def _layout_content(self, content: QRectF) -> None:
        metrics = self._metrics()
        line = metrics.height()
        pad = self._padding()
        rows = QRectF(content)
        with_legend = any(target is not None for target in self._targets)
        if with_legend:
            rows.setBottom(content.bottom() - line - pad * 0.5)
        smallest, largest = line + 4, line * 2.1
        count = len(self._labels)
        fits = max(1, int(rows.height() // smallest))
        shown = count if count <= fits else max(fits - 1, 1)
        row_height = min(largest, max(smallest, rows.height() / max(shown, 1)))
        if shown < count:
            row_height = smallest

        label_width = min(max(metrics.horizontalAdvance(label) for label in self._labels) + 1,
                          content.width() * 0.4)
        values = [self._value_format(value) for value in self._values[:shown]]
        bold = self._metrics(self._bold_font())
        over = self.over_target()
        value_width = max((bold if over[index] else metrics).horizontalAdvance(text)
                          for index, text in enumerate(values)) + 1
        bar_left = content.left() + label_width + pad
        span = max(content.right() - value_width - pad * 0.75 - bar_left, 1.0)
        maximum = max([*self._values, *(t for t in self._targets if t is not None)]) or 1.0
        thickness = max(row_height * 0.6, 3.0)

        for index in range(shown):
            top = rows.top() + index * row_height
            label, value, target = self._labels[index], self._values[index], self._targets[index]
            bar_top = top + (row_height - thickness) / 2
            bar = QRectF(bar_left, bar_top, value / maximum * span, thickness)
            self._bars.append(bar)
            value_left = bar.right() + pad * 0.5
            marker = None
            if target is not None:
                x = bar_left + target / maximum * span
                marker = QLineF(x, bar_top - 3, x, bar.bottom() + 3)
                if bar.right() <= x < value_left + value_width + pad * 0.5:
                    value_left = x + 1 + pad * 0.5  # the value after the marker, not over it
            self._markers.append(marker)
            text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_width)
            self._row_labels.append(_Text(text, QRectF(content.left(), top, label_width,
                                                       row_height)))
            self._value_texts.append(_Text(values[index], QRectF(value_left, top,
                                                                 value_width, row_height)))
            self._add_area(QRectF(content.left(), top, content.width(), row_height),
                           self._tooltip(index), ("bar", index))
        bottom = rows.top() + shown * row_height
        if shown < count:
            self._more = _Text(self.tr("+%n more", "", count - shown),
                               QRectF(content.left(), bottom, content.width(), row_height))
            hidden = [escape(label) for label in self._labels[shown:]]
            if len(hidden) > MAX_TOOLTIP_LINES:
                hidden[MAX_TOOLTIP_LINES - 1:] = ["…"]
            self._add_area(self._more.rect, "<br>".join(hidden))
            bottom += row_height
        if with_legend:
            top = min(bottom + pad * 0.5, content.bottom() - line)
            self._layout_legend(QRectF(content.left(), top, content.width(), line))

    def _layout_legend(self, rect: QRectF) -> None:
        metrics = self._metrics()
        entries = [("marker", self.tr("Target"))]
        if any(self.over_target()):
            entries.append(("warning", self.tr("Over target")))
        x = rect.left()
        swatch = round(rect.height() * 0.7)
        for kind, name in entries:
            width = metrics.horizontalAdvance(name) + 1
            box = QRectF(x, rect.top() + (rect.height() - swatch) / 2, swatch, swatch)
            self._legend.append((kind, box, _Text(name, QRectF(box.right() + 4, rect.top(),
                                                               width, rect.height()))))
            x = box.right() + 4 + width + metrics.horizontalAdvance("M") * 1.2

    def _tooltip(self, index: int) -> str:
        value, target = self._values[index], self._targets[index]
        lines = [f"<b>{escape(self._labels[index])}</b>", escape(self._value_format(value))]
        if target is not None:
            lines.append(escape(self.tr("Target: %1").replace("%1",
                                                              self._value_format(target))))
            if value > target:
                lines.append(escape(self.tr("Over target by %1").replace(
                    "%1", self._value_format(value - target))))
        return "<br>".join(lines)

    def _paint_content(self, painter: QPainter) -> None:
        over = self.over_target()
        self._draw_texts(painter, self._row_labels, self._text_color(),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        painter.setPen(Qt.PenStyle.NoPen)
        for index, bar in enumerate(self._bars):
            painter.setBrush(self._fill(WARNING_COLOR if over[index] else BAR_COLOR,
                                        ("bar", index)))
            painter.drawRoundedRect(bar, 1.5, 1.5)
        marker_pen = QPen(self._text_color(), 2)
        marker_pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        painter.setPen(marker_pen)
        for marker in self._markers:
            if marker is not None:
                painter.drawLine(marker)
        bold = self._bold_font()
        for index, text in enumerate(self._value_texts):
            painter.setFont(bold if over[index] else self.font())
            painter.setPen(self._text_color())
            painter.drawText(text.rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             text.text)
        painter.setFont(self.font())
        if self._more.text:
            painter.setPen(self._muted_text_color())
            painter.drawText(self._more.rect,
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self._more.text)
        for kind, box, text in self._legend:
            if kind == "marker":
                painter.setPen(marker_pen)
                x = box.center().x()
                painter.drawLine(QLineF(x, box.top() - 1, x, box.bottom() + 1))
            else:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(WARNING_COLOR)
                painter.drawRoundedRect(box, 2, 2)
            painter.setPen(self._muted_text_color())
            painter.drawText(text.rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             text.text)
