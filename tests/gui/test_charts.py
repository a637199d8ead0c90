"""The summary page's charts: geometry follows the data, tooltips answer, labels never collide."""

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from callhelper.ui.charts import (BAR_COLOR, DURATION_STEPS, WARNING_COLOR, BarChart,
                                  HorizontalBarChart, StackedBarChart, minutes_seconds,
                                  nice_ticks)

DAYS = ["6/1", "6/2", "6/3", "6/4", "6/5"]
STEPS = ["お詫び(限定謝罪)", "傾聴", "事実と影響の確認", "上長への相談・エスカレーションの判断"]


def show(qtbot, chart, width=400, height=220):
    qtbot.addWidget(chart)
    chart.resize(width, height)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


@pytest.fixture
def bar_chart(qtbot):
    chart = BarChart("日別の入電数")
    chart.set_data(DAYS, [10, 20, 40, 5, 0], target=30)
    return show(qtbot, chart)


@pytest.fixture
def handle_times(qtbot):
    chart = HorizontalBarChart("手順ごとの処理時間", value_format=minutes_seconds)
    chart.set_data(STEPS, [25, 190, 100, 95], [30, 180, 120, None])
    return show(qtbot, chart)


def test_nice_ticks_are_round_and_cover_the_maximum():
    assert nice_ticks(51, 5, integer=True) == [0, 20, 40, 60]
    assert nice_ticks(7, 5, integer=True) == [0, 2, 4, 6, 8]
    assert nice_ticks(1.1, 5) == [0, 0.25, 0.5, 0.75, 1.0, 1.25]
    assert nice_ticks(0, 4, integer=True) == [0, 1]
    assert nice_ticks(420, 5, steps=DURATION_STEPS) == [0, 120, 240, 360, 480]


def test_minutes_seconds():
    assert [minutes_seconds(s) for s in (0, 5, 95, 600, 3725)] == \
        ["0:00", "0:05", "1:35", "10:00", "1:02:05"]


def test_bar_heights_are_proportional_to_the_values(bar_chart):
    bars = bar_chart.bar_rects()
    plot = bar_chart.plot_rect()
    assert len(bars) == len(DAYS)
    top = bar_chart.y_ticks()[-1]
    assert top >= 40
    for bar, value in zip(bars, [10, 20, 40, 5, 0]):
        assert bar.bottom() == pytest.approx(plot.bottom())
        assert bar.height() == pytest.approx(value / top * plot.height())
    assert bars[1].height() == pytest.approx(2 * bars[0].height())
    assert bars[2].height() == pytest.approx(8 * bars[3].height())
    assert [bar.center().x() for bar in bars] == sorted(bar.center().x() for bar in bars)


def test_the_target_line_is_at_the_targets_height(bar_chart):
    line = bar_chart.target_line()
    plot = bar_chart.plot_rect()
    bars = bar_chart.bar_rects()
    assert line.y1() == line.y2()
    assert (line.x1(), line.x2()) == (pytest.approx(plot.left()), pytest.approx(plot.right()))
    # the target (30) lies between the bars of 20 and 40, three quarters of the way up from 0
    assert bars[2].top() < line.y1() < bars[1].top()
    assert plot.bottom() - line.y1() == pytest.approx(0.75 * bars[2].height())
    text, rect = bar_chart.target_label()
    assert "30" in text
    assert rect.bottom() <= plot.top()


def test_a_chart_without_target_draws_no_line(qtbot):
    chart = show(qtbot, BarChart())
    chart.set_data(DAYS, [1, 2, 3, 4, 5])
    assert chart.target_line() is None and chart.target_label() is None


def test_value_labels_sit_on_their_bars(bar_chart):
    labels = bar_chart.value_labels()
    assert [text for text, _ in labels] == ["10", "20", "40", "5", "0"]
    for (_, rect), bar in zip(labels, bar_chart.bar_rects()):
        assert rect.center().x() == pytest.approx(bar.center().x())
        assert rect.bottom() <= bar.top()


def test_target_markers_sit_at_each_rows_target(handle_times):
    bars = handle_times.bar_rects()
    markers = handle_times.target_markers()
    assert markers[3] is None
    left = bars[0].left()
    scale = bars[1].width() / 190  # 190 s is the largest value and target
    for marker, bar, target in zip(markers[:3], bars, [30, 180, 120]):
        assert marker.x1() == marker.x2() == pytest.approx(left + target * scale)
        assert marker.y1() < bar.top() and marker.y2() > bar.bottom()
    assert markers[0].x1() > bars[0].right()  # 25 s, under its 30 s target
    assert markers[1].x1() < bars[1].right()  # 190 s, over its 180 s target


def test_values_follow_their_bars_and_stay_clear_of_the_markers(handle_times):
    labels = handle_times.value_labels()
    assert [text for text, _ in labels] == ["0:25", "3:10", "1:40", "1:35"]
    for (_, rect), bar, marker in zip(labels, handle_times.bar_rects(),
                                      handle_times.target_markers()):
        assert rect.left() > bar.right()
        assert rect.right() <= handle_times.width()
        if marker is not None:
            assert not rect.left() <= marker.x1() <= rect.right()


def test_bars_over_their_target_are_flagged(handle_times):
    assert handle_times.over_target() == [False, True, False, False]
    assert handle_times.bar_color(1) == WARNING_COLOR
    assert handle_times.bar_color(0) == BAR_COLOR
    assert handle_times.bar_color(3) == BAR_COLOR  # no target, never a warning
    tooltip = handle_times.tooltip_at(handle_times.bar_rects()[1].center())
    assert "3:10" in tooltip and "3:00" in tooltip and "0:10" in tooltip


@pytest.mark.parametrize("make", [
    lambda chart: chart.set_data([], []),
    lambda chart: chart.set_data([], [], target=10),
])
def test_empty_data_shows_no_data(qtbot, make):
    chart = show(qtbot, BarChart("日別の入電数"))
    make(chart)
    assert not chart.has_data()
    assert chart.empty_text() == "No data"
    assert chart.bar_rects() == [] and chart.axis_labels() == []
    assert chart.tooltip_at(chart.rect().center()) == ""
    chart.grab()


def test_every_chart_has_an_empty_state(qtbot):
    horizontal = show(qtbot, HorizontalBarChart())
    horizontal.set_data([], [])
    stacked = show(qtbot, StackedBarChart())
    stacked.set_data(DAYS, {})
    for chart in (horizontal, stacked):
        assert not chart.has_data() and chart.bar_rects() == []
        chart.grab()


def test_clearing_the_data_forgets_the_bars(qtbot, bar_chart, handle_times):
    stacked = show(qtbot, StackedBarChart())
    stacked.set_data(DAYS, {"配送遅延": [1, 2, 3, 4, 5]})
    for chart in (bar_chart, handle_times, stacked):
        centre = chart.bar_rects()[0].center()
        assert chart.tooltip_at(centre)
        chart.set_data([], {} if chart is stacked else [])
        assert chart.bar_rects() == [] and chart.tooltip_at(centre) == ""
    assert bar_chart.target_line() is None and bar_chart.axis_labels() == []
    assert handle_times.target_markers() == [] and stacked.legend_items() == []


def test_the_empty_text_is_centred(qtbot):
    chart = show(qtbot, BarChart())
    chart.set_data([], [])
    image = chart.grab().toImage()
    background = image.pixelColor(2, 2)
    inked = [(x, y) for y in range(image.height()) for x in range(image.width())
             if image.pixelColor(x, y) != background]
    xs, ys = [x for x, _ in inked], [y for _, y in inked]
    assert inked
    assert abs((min(xs) + max(xs)) / 2 - image.width() / 2) < 4
    assert abs((min(ys) + max(ys)) / 2 - image.height() / 2) < 4


def test_tooltip_at_a_bars_centre(bar_chart):
    tooltip = bar_chart.tooltip_at(bar_chart.bar_rects()[2].center())
    assert "6/3" in tooltip and "40" in tooltip and "30" in tooltip
    # a short bar answers over its whole column, not only over its few pixels
    zero_bar = bar_chart.bar_rects()[4]
    assert "6/5" in bar_chart.tooltip_at(QPointF(zero_bar.center().x(), zero_bar.top() - 20))
    assert bar_chart.tooltip_at(QPoint(1, 1)) == ""


def test_the_tooltip_event_shows_the_bars_tooltip(qtbot, bar_chart):
    centre = bar_chart.bar_rects()[1].center().toPoint()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, bar_chart.mapToGlobal(centre))
    QApplication.sendEvent(bar_chart, event)
    qtbot.waitUntil(QToolTip.isVisible)
    assert "6/2" in QToolTip.text()
    QToolTip.hideText()


def test_hovering_highlights_the_bar_under_the_mouse(qtbot, bar_chart):
    plain = bar_chart.grab().toImage()
    qtbot.mouseMove(bar_chart, bar_chart.bar_rects()[2].center().toPoint())
    qtbot.waitUntil(lambda: bar_chart.grab().toImage() != plain)


def test_stacked_segments_and_their_tooltips(qtbot):
    chart = StackedBarChart("週別の苦情件名")
    chart.set_data(["6/3週", "6/10週"], {"配送遅延": [6, 2], "商品不良": [2, 2],
                                        "請求金額の誤り": [0, 4]})
    show(qtbot, chart)
    segments = chart.segment_rects()
    first = segments[0]
    assert first[0].bottom() == pytest.approx(chart.plot_rect().bottom())
    assert first[1].bottom() == pytest.approx(first[0].top())
    assert first[0].height() == pytest.approx(3 * first[1].height())
    assert first[2].height() == 0
    assert chart.bar_rects()[1].height() == pytest.approx(chart.bar_rects()[0].height())
    assert chart.totals() == [8, 8]
    tooltip = chart.tooltip_at(first[1].center())
    assert "6/3週" in tooltip and "<b>" in tooltip.split("商品不良")[0].rsplit("<tr>", 1)[1]
    assert "8" in tooltip
    assert [text for text, _ in chart.legend_items()] == ["配送遅延", "商品不良", "請求金額の誤り"]
    assert "請求金額の誤り" in chart.tooltip_at(chart.legend_items()[2][1].center())


def test_stacked_series_must_match_the_categories(qtbot):
    chart = StackedBarChart()
    with pytest.raises(ValueError):
        chart.set_data(DAYS, {"配送遅延": [1, 2]})
    with pytest.raises(ValueError):
        BarChart().set_data(DAYS, [1, 2, 3, 4, -5])


def test_long_labels_are_elided_with_the_full_text_in_the_tooltip(handle_times):
    full = STEPS[3]
    shown, rect = handle_times.row_labels()[3]
    assert shown != full and shown.endswith("…")
    assert full.startswith(shown[:-1])
    assert rect.right() <= handle_times.bar_rects()[3].left()
    assert full in handle_times.tooltip_at(rect.center())
    assert full in handle_times.tooltip_at(handle_times.bar_rects()[3].center())
    assert handle_times.row_labels()[1][0] == STEPS[1]


def test_rows_that_do_not_fit_are_summed_up(qtbot):
    chart = HorizontalBarChart()
    subjects = [f"件名{i}" for i in range(40)]
    chart.set_data(subjects, list(range(40, 0, -1)))
    show(qtbot, chart)
    shown = len(chart.bar_rects())
    assert 0 < shown < 40 and chart.hidden_rows() == 40 - shown
    rects = chart.bar_rects()
    assert all(a.bottom() <= b.top() for a, b in zip(rects, rects[1:]))
    assert rects[-1].bottom() <= chart.height()


def test_many_categories_do_not_overlap_their_labels(qtbot):
    chart = BarChart("週別のエスカレーション件数")
    weeks = [f"第{week}週" for week in range(1, 53)]
    chart.set_data(weeks, [week % 7 for week in range(52)], target=4)
    show(qtbot, chart)
    labels = chart.axis_labels()
    assert 2 <= len(labels) < len(weeks)
    rects = [rect for _, rect in labels]
    assert all(a.right() < b.left() for a, b in zip(rects, rects[1:]))
    assert all(0 <= rect.left() and rect.right() <= chart.width() for rect in rects)
    assert all(text in weeks for text, _ in labels)
    assert chart.value_labels() == []  # too narrow for a number over every bar
    assert len(chart.bar_rects()) == 52
    assert all(bar.width() >= 1 for bar in chart.bar_rects())


def test_long_category_labels_fit_their_columns(qtbot):
    chart = BarChart()
    days = ["月曜日の午前の入電", "火曜日の午前の入電", "水曜日の午前の入電"]
    chart.set_data(days, [3, 4, 5])
    show(qtbot, chart, 260, 160)
    rects = [rect for _, rect in chart.axis_labels()]
    assert rects and all(a.right() < b.left() for a, b in zip(rects, rects[1:]))
    for text, rect in chart.axis_labels():
        if text not in days:
            assert any(day in chart.tooltip_at(rect.center()) for day in days)


def test_a_narrow_chart_keeps_the_title_in_one_line(qtbot):
    chart = BarChart("通話時間の中央値(日別、とても長いタイトル)")
    chart.set_data(DAYS, [1, 2, 3, 4, 5], target=3)
    show(qtbot, chart, 220, 150)
    assert chart.title_text().endswith("…")
    assert "とても長いタイトル" in chart.tooltip_at(QPoint(12, 10))


class CountingChart(BarChart):
    def __init__(self):
        super().__init__()
        self.paints = 0

    def paintEvent(self, event):
        self.paints += 1
        super().paintEvent(event)


def test_set_data_repaints(qtbot):
    chart = show(qtbot, CountingChart())
    chart.set_data(DAYS, [1, 2, 3, 4, 5])
    qtbot.waitUntil(lambda: chart.paints > 0)
    before_image, before_paints = chart.grab().toImage(), chart.paints
    chart.set_data(DAYS, [5, 4, 3, 2, 1])
    qtbot.waitUntil(lambda: chart.paints > before_paints)
    assert chart.grab().toImage() != before_image
    assert chart.bar_rects()[0].height() > chart.bar_rects()[4].height()


def test_resizing_lays_the_bars_out_again(bar_chart, qtbot):
    before = bar_chart.bar_rects()[2]
    bar_chart.resize(600, 300)
    qtbot.waitUntil(lambda: bar_chart.bar_rects()[2] != before)
    assert bar_chart.bar_rects()[2].height() > before.height()


def test_value_format_reaches_axis_labels_and_tooltips(qtbot):
    chart = BarChart(value_format=minutes_seconds)
    chart.tick_steps = DURATION_STEPS
    chart.set_data(DAYS, [185, 240, 302, 150, 420], target=300)
    show(qtbot, chart)
    assert all(tick % 60 == 0 for tick in chart.y_ticks())
    assert "5:02" in chart.tooltip_at(chart.bar_rects()[2].center())
    assert "5:00" in chart.target_label()[0]


def test_size_hints_suit_a_summary_panel(qtbot):
    for chart in (BarChart(), HorizontalBarChart(), StackedBarChart()):
        qtbot.addWidget(chart)
        assert chart.sizeHint().width() == 400 and chart.sizeHint().height() >= 220
        minimum = chart.minimumSizeHint()
        assert 0 < minimum.width() <= 400 and 0 < minimum.height() <= 220
