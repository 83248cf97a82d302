"""Server-drawn SVG charts: accessible, escaped, and a hidden bar says nothing of its size."""

import re

from stats.charts import HIDDEN_BOX, bar_chart, chart, range_chart
from stats.tables import NOT_SHOWN, Cell, Row, Table, count


def table(*cells, chart="bars"):
    rows = tuple(Row(f"Row {i}", (cell,)) for i, cell in enumerate(cells))
    return Table("t", "A <title> & more", ("Label", "Count"), rows, chart=chart)


def test_bars_are_drawn_to_scale_and_hidden_ones_as_one_dashed_size():
    svg = bar_chart(table(count(10, False, 5), count(5, False, 5), count(3, True, 5)), threshold=5)
    widths = [float(w) for w in re.findall(r'<rect x="0" y="[^"]+" width="([^"]+)"', svg)]
    assert widths[0] == 2 * widths[1]
    assert f'width="{HIDDEN_BOX}"' in svg and 'stroke-dasharray="3 2"' in svg
    assert ">&lt;5</text>" in svg
    big_hidden = bar_chart(table(count(10, False, 5), count(500, True, 5)), threshold=5)
    small_hidden = bar_chart(table(count(10, False, 5), count(1, True, 5)), threshold=5)
    assert big_hidden == small_hidden  # the value never reached the chart anyway


def test_a_chart_is_an_image_with_a_title_and_description_and_escapes_text():
    svg = bar_chart(table(count(7, False, 5)), threshold=5)
    assert svg.startswith(
        '<svg class="chart" role="img" aria-labelledby="chart-t-title chart-t-desc"'
    )
    assert '<title id="chart-t-title">A &lt;title&gt; &amp; more</title>' in svg
    assert '<desc id="chart-t-desc">Bar chart' in svg
    assert "style=" not in svg and "<script" not in svg


def test_zero_draws_no_bar():
    svg = bar_chart(table(count(0, False, 5)), threshold=5)
    assert "<rect" not in svg and ">0</text>" in svg


def test_time_to_safety_is_drawn_as_ranges_or_said_to_be_too_few():
    rows = (
        Row("Shelter", (count(9, False, 5), Cell("2", 2), Cell("4", 4), Cell("10", 10))),
        Row("Relocation", (count(2, True, 5), *(Cell(NOT_SHOWN),) * 3)),
    )
    svg = range_chart(Table("tts", "Time", ("", "", "", "", ""), rows, chart="ranges"))
    assert svg.count("<rect") == 1 and "<line" in svg
    assert "median 4 d" in svg and "Not shown: too few people" in svg


def test_a_table_without_a_chart_gets_none():
    assert chart(table(count(7, False, 5), chart=""), threshold=5) == ""
