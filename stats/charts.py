"""Charts drawn on the server as inline SVG: no script, no style attribute, no external asset.

Each is an image for assistive technology (role="img" with a title and a
description) and repeats numbers the table next to it gives in full. A
hidden count is drawn as a dashed box of one fixed size, labelled like the
table: its width must not hint at the number it hides.

The canvas is narrow (360 units) so that a phone shows it at nearly full
size; a label too long for one line wraps onto the next.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from stats.tables import Table

WIDTH = 360
LINE = 16  # one line of label text
BAR = 14
GAP = 10  # below each bar
ROOM_FOR_VALUE = 64
HIDDEN_BOX = 18
CHARS_PER_LINE = 46  # at 13 units a character is about 7 wide
INK, MUTED, ACCENT, LIGHT = "#1b1f24", "#57606a", "#0b5cad", "#c9def3"


def wrap(text: str, width: int = CHARS_PER_LINE) -> list[str]:
    """Split a label into lines of at most `width` characters, at spaces."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _svg(table: Table, height: int, description: str, body: list[SafeString]) -> SafeString:
    ids = f"chart-{table.slug}"
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{0}-title {0}-desc" '
        'viewBox="0 0 {1} {2}" width="{1}" height="{2}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">'
        '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>{5}</svg>',
        ids,
        WIDTH,
        height,
        table.title,
        description,
        format_html_join("", "{}", ((part,) for part in body)),
    )


def _label(y: int, text, parts: list[SafeString]) -> int:
    """Draw a (wrapped) label from y; return where the bar goes."""
    for line in wrap(text):
        y += LINE
        parts.append(
            format_html('<text x="0" y="{}" font-size="13" fill="{}">{}</text>', y - 3, INK, line)
        )
    return y + 2


def _value(x: float, bar_y: int, text: str, colour: str) -> SafeString:
    return format_html(
        '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>',
        round(x, 1),
        bar_y + 11,
        colour,
        text,
    )


def bar_chart(table: Table, *, threshold: int) -> SafeString:
    """One bar per row for the first column; hidden counts as dashed boxes."""
    rows = table.body
    shown = [row.cells[0].value or 0 for row in rows if not row.cells[0].hidden]
    scale = (WIDTH - ROOM_FOR_VALUE) / (max(shown, default=0) or 1)
    parts: list[SafeString] = []
    y = 0
    for row in rows:
        cell = row.cells[0]
        bar_y = _label(y, row.label, parts)
        if cell.hidden:
            parts.append(
                format_html(
                    '<rect x="0.5" y="{}" width="{}" height="{}" fill="none" stroke="{}" '
                    'stroke-dasharray="3 2"/>',
                    bar_y + 0.5,
                    HIDDEN_BOX,
                    BAR - 1,
                    MUTED,
                )
            )
            parts.append(_value(HIDDEN_BOX + 6, bar_y, cell.text, MUTED))
        else:
            width = round(cell.value * scale, 1)
            if width:
                parts.append(
                    format_html(
                        '<rect x="0" y="{}" width="{}" height="{}" fill="{}"/>',
                        bar_y,
                        width,
                        BAR,
                        ACCENT,
                    )
                )
            parts.append(_value(width + 6, bar_y, cell.text, INK))
        y = bar_y + BAR + GAP
    description = _(
        "Bar chart of the table that follows. A dashed box is a hidden count: "
        "fewer than %(n)s, or hidden so that a total cannot reveal one."
    ) % {"n": threshold}
    return _svg(table, max(y, LINE), description, parts)


def range_chart(table: Table) -> SafeString:
    """For each row, a box from the first to the third quartile with a line at the median."""
    rows = table.body
    spreads = [[cell.value for cell in row.cells[1:4]] for row in rows]
    largest = max((s[2] for s in spreads if s[2] is not None), default=0) or 1
    scale = (WIDTH - 120) / largest  # room for "median 12.5 d" after the box
    parts: list[SafeString] = []
    y = 0
    for row, spread in zip(rows, spreads, strict=True):
        bar_y = _label(y, row.label, parts)
        y = bar_y + BAR + GAP
        if None in spread:
            parts.append(_value(0, bar_y, _("Not shown: too few people"), MUTED))
            continue
        q1, median, q3 = (round(v * scale, 1) for v in spread)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}"/>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"/>',
                q1,
                bar_y,
                max(q3 - q1, 1),
                BAR,
                LIGHT,
                ACCENT,
                median,
                bar_y - 2,
                median,
                bar_y + BAR + 2,
                INK,
            )
        )
        label = _("median %(days)s d") % {"days": row.cells[2].text}
        parts.append(_value(max(q3, q1 + 1) + 6, bar_y, label, INK))
    description = _(
        "For each milestone, a box from the first to the third quartile of days, "
        "with a line at the median. The table that follows gives the numbers."
    )
    return _svg(table, max(y, LINE), description, parts)


def chart(table: Table, *, threshold: int) -> SafeString:
    if table.chart == "bars":
        return bar_chart(table, threshold=threshold)
    if table.chart == "ranges":
        return range_chart(table)
    return format_html_join("", "{}", ())
