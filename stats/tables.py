"""The published tables: counts labelled, small cells hidden, nothing else.

A hidden number never leaves this module: a `Cell` that is hidden carries
its marker text and no value, so no template or export can print it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from math import floor

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from intake.choices import Need, Region, Risk, Threat
from intake.status import Status
from referrals.models import PartnerKind
from retention.measures import Outcome
from stats.queries import Counts, Period, Tally
from stats.suppression import Grid, Line, hidden_text, is_small, suppress_grid, suppress_line

NOT_SHOWN = "—"


@dataclass(frozen=True)
class Cell:
    text: str
    value: float | int | None = None  # None when hidden or not shown
    hidden: bool = False


@dataclass(frozen=True)
class Row:
    label: str | Promise
    cells: tuple[Cell, ...]
    total: bool = False


@dataclass(frozen=True)
class Table:
    slug: str
    title: str | Promise
    columns: tuple[str | Promise, ...]  # the first heads the labels
    rows: tuple[Row, ...]
    chart: str = ""  # "bars" (first column), "ranges" (quartiles), or none
    note: str | Promise = ""

    @property
    def body(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if not row.total)


@dataclass
class Statistics:
    period: Period
    threshold: int
    empty: bool  # no request in the period (never the number: it may be hidden)
    tables: list[Table] = field(default_factory=list)

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.tables if t.slug == slug), None)


def count(value: int, hidden: bool, threshold: int) -> Cell:
    if hidden:
        return Cell(hidden_text(threshold), hidden=True)
    return Cell(str(value), value)


def build(counts: Counts, *, period: Period, threshold: int) -> Statistics:
    """Every published table, with one suppression pattern where tables share a total."""
    stats = Statistics(period, threshold, empty=not counts.total)
    stats.tables += _requests(counts, period, threshold)
    for slug, title, enum, values in (
        ("threats", _("Requests by threat"), Threat, counts.threats),
        ("needs", _("Requests by need"), Need, counts.needs),
    ):
        stats.tables.append(_several_per_request(slug, title, enum, values, threshold))
    stats.tables += _referrals(counts, threshold)
    stats.tables.append(_time_to_safety(counts, threshold))
    return stats


# --- Requests: one total shared by the region, quarter, risk and outcome tables ---


def _quarters(counts: Counts, period: Period) -> list[str]:
    """Every quarter from the first request to the last completed one, empty ones too."""
    seen = [quarter for _, quarter in counts.requests if quarter < period.current_quarter]
    if not seen:
        return []
    year, q = map(int, min(seen).split("Q"))
    quarters = []
    while (label := f"{year}Q{q}") < period.current_quarter:
        quarters.append(label)
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return quarters


def quarter_label(quarter: str) -> str:
    year, q = quarter.split("Q")
    return _("Q%(quarter)s %(year)s") % {"quarter": q, "year": year}


def _with_rest(labelled: list[tuple], values: Counter, total: int, rest_label) -> list[tuple]:
    """(label, count) rows that add up to the total: what no row names goes in a last one."""
    rows = [(label, values.get(key, 0)) for key, label in labelled]
    rest = total - sum(n for _, n in rows)
    return rows + ([(rest_label, rest)] if rest > 0 else [])


def _requests(counts: Counts, period: Period, threshold: int) -> list[Table]:
    total = counts.total
    quarters = _quarters(counts, period)
    regions = list(Region)
    cells: Counter = Counter()
    for (region, quarter), n in counts.requests.items():
        cells[(region if region in Region.values else Region.OTHER, quarter)] += n
    matrix = [[cells[(r.value, q)] for q in quarters] for r in regions]
    risk = _with_rest(
        [(str(r.value), r.label) for r in Risk],
        counts.risk,
        total,
        _("Not recorded (purged before risk was counted)"),
    )
    outcomes = _with_rest(
        [(key, Outcome.LABELS[key]) for key in Outcome.ORDER],
        counts.outcomes,
        total,
        _("Other"),
    )

    def suppress(hide_total: bool) -> tuple[Grid | None, Line, Line]:
        return (
            suppress_grid(matrix, threshold=threshold, hide_total=hide_total) if quarters else None,
            suppress_line([n for _, n in risk], threshold=threshold, hide_total=hide_total),
            suppress_line([n for _, n in outcomes], threshold=threshold, hide_total=hide_total),
        )

    grid, risk_hidden, outcomes_hidden = suppress(False)
    # The number of requests is in each of these tables: hidden in one, hidden in all.
    if any(p is not None and p.total for p in (grid, risk_hidden, outcomes_hidden)):
        grid, risk_hidden, outcomes_hidden = suppress(True)
    row_totals = [sum(row) for row in matrix]
    column_totals = [sum(column) for column in zip(*matrix, strict=True)] if quarters else []
    if grid is None:  # no request yet: nothing to hide
        grid = Grid(tuple(() for _ in regions), (False,) * len(regions), (), False)
    tables = [
        _one_way(
            "regions",
            _("Requests by region"),
            _("Region"),
            [(r.label, n) for r, n in zip(regions, row_totals, strict=True)],
            Line(grid.row_totals, grid.total),
            total,
            threshold,
        ),
        _one_way(
            "quarters",
            _("Requests by quarter"),
            _("Quarter"),
            [(quarter_label(q), n) for q, n in zip(quarters, column_totals, strict=True)],
            Line(grid.column_totals, grid.total),
            total,
            threshold,
        ),
    ]
    rows = [
        Row(
            region.label,
            tuple(count(n, h, threshold) for n, h in zip(values, hidden, strict=True))
            + (count(row_total, row_hidden, threshold),),
        )
        for region, values, hidden, row_total, row_hidden in zip(
            regions, matrix, grid.cells, row_totals, grid.row_totals, strict=True
        )
    ]
    rows.append(
        Row(
            _("Total"),
            tuple(
                count(n, h, threshold)
                for n, h in zip(column_totals, grid.column_totals, strict=True)
            )
            + (count(total, grid.total, threshold),),
            total=True,
        )
    )
    tables.append(
        Table(
            "regions-by-quarter",
            _("Requests by region and quarter"),
            (_("Region"), *map(quarter_label, quarters), _("Total")),
            tuple(rows),
        )
    )
    tables.append(
        _one_way(
            "risk",
            _("Requests by risk level"),
            _("Risk level"),
            risk,
            risk_hidden,
            total,
            threshold,
        )
    )
    tables.append(
        _one_way(
            "outcomes",
            _("Requests by outcome"),
            _("Outcome"),
            outcomes,
            outcomes_hidden,
            total,
            threshold,
            note=_("Where each request ended, or stands now."),
        )
    )
    return tables


def _one_way(slug, title, heading, rows, hidden: Line, total, threshold, note="") -> Table:
    body = [
        Row(label, (count(n, h, threshold),))
        for (label, n), h in zip(rows, hidden.cells, strict=True)
    ]
    body.append(Row(_("Total"), (count(total, hidden.total, threshold),), total=True))
    return Table(slug, title, (heading, _("Requests")), tuple(body), chart="bars", note=note)


def _several_per_request(slug, title, enum, values: Counter, threshold: int) -> Table:
    """Threats or needs: a request may name several, so the rows add up to no total.

    No total is shown, but the cells are suppressed as if their sum were:
    a reader who knew every request named exactly one could subtract.
    """
    rows = [(member.label, values.get(member.value, 0)) for member in enum]
    hidden = suppress_line([n for _, n in rows], threshold=threshold)
    return Table(
        slug,
        title,
        (_("Category"), _("Requests")),
        tuple(
            Row(label, (count(n, h, threshold),))
            for (label, n), h in zip(rows, hidden.cells, strict=True)
        ),
        chart="bars",
        note=_("A request may name several, so there is no total."),
    )


# --- Referrals: one total shared by the service and partner-kind tables ---


def _rate(tally: Tally, threshold: int) -> Cell:
    """Accepted of those answered, in whole percent, once enough were answered."""
    if tally.answered < threshold:
        return Cell(NOT_SHOWN)
    percent = floor(100 * tally.accepted / tally.answered + 0.5)
    return Cell(str(percent), percent)


def _referrals(counts: Counts, threshold: int) -> list[Table]:
    by_service: defaultdict[str, Tally] = defaultdict(Tally)
    by_kind: defaultdict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for (service, kind), tally in counts.referrals.items():
        for sums in (by_service[service], by_kind[kind], total):
            sums.add(tally.sent, tally.answered, tally.accepted)
    services = [(n.label, by_service[n.value]) for n in Need]
    kinds = [(k.label, by_kind[k.value]) for k in PartnerKind]

    def suppress(hide_total: bool) -> tuple[Line, Line]:
        return tuple(
            suppress_line([t.sent for _, t in rows], threshold=threshold, hide_total=hide_total)
            for rows in (services, kinds)
        )

    hidden = suppress(False)
    if any(line.total for line in hidden):
        hidden = suppress(True)
    tables = []
    for slug, title, heading, rows, line in (
        ("referrals-by-service", _("Referrals by service"), _("Service"), services, hidden[0]),
        (
            "referrals-by-partner-kind",
            _("Referrals by kind of partner"),
            _("Kind of partner"),
            kinds,
            hidden[1],
        ),
    ):
        # No rate beside a hidden count: "enough answers for a rate" would say
        # the count is not small, and so which hidden cell hides which.
        body = [
            Row(
                label,
                (count(t.sent, h, threshold), Cell(NOT_SHOWN) if h else _rate(t, threshold)),
            )
            for (label, t), h in zip(rows, line.cells, strict=True)
        ]
        body.append(
            Row(
                _("Total"),
                (
                    count(total.sent, line.total, threshold),
                    Cell(NOT_SHOWN) if line.total else _rate(total, threshold),
                ),
                total=True,
            )
        )
        tables.append(
            Table(
                slug,
                title,
                (heading, _("Referrals sent"), _("Acceptance rate (%)")),
                tuple(body),
                chart="bars",
                note=_(
                    "Counts referrals, not people. Acceptance rate: accepted (and what came "
                    "after) of those the partner answered; shown once %(n)s were answered, "
                    "and never beside a hidden count."
                )
                % {"n": threshold},
            )
        )
    return tables


# --- Time to safety ---


def quartiles(histogram: Counter) -> tuple[float, float, float]:
    """First quartile, median and third quartile of a histogram (value -> how many).

    Linear interpolation between order statistics, as Python's
    statistics.quantiles(method="inclusive") and most spreadsheets do.
    """
    values = sorted((v, n) for v, n in histogram.items() if n > 0)
    size = sum(n for _, n in values)
    if not size:
        raise ValueError("an empty histogram has no quartiles")

    def nth(k: int) -> int:  # the k-th smallest, from 0
        for value, n in values:
            if k < n:
                return value
            k -= n
        raise IndexError(k)

    def at(fraction: float) -> float:
        position = fraction * (size - 1)
        low = floor(position)
        if low == position:
            return float(nth(low))
        return nth(low) + (position - low) * (nth(low + 1) - nth(low))

    return at(0.25), at(0.5), at(0.75)


def days_cell(value: float) -> Cell:
    rounded = round(value, 1)
    if rounded == int(rounded):
        return Cell(str(int(rounded)), int(rounded))
    return Cell(number_format(rounded, 1), rounded)


def _time_to_safety(counts: Counts, threshold: int) -> Table:
    rows = []
    for milestone, label in (
        (Status.SHELTERED, _("From the request to shelter")),
        (Status.RELOCATED, _("From the request to relocation")),
    ):
        histogram = counts.milestones.get(milestone, Counter())
        people = sum(histogram.values())
        if people >= threshold:
            spread = tuple(days_cell(v) for v in quartiles(histogram))
        else:
            spread = (Cell(NOT_SHOWN),) * 3
        # Each row stands alone (one person may be in both): no total to subtract from.
        rows.append(Row(label, (count(people, is_small(people, threshold), threshold), *spread)))
    return Table(
        "time-to-safety",
        _("Time to safety"),
        (
            _("Milestone"),
            _("People"),
            _("First quartile (days)"),
            _("Median (days)"),
            _("Third quartile (days)"),
        ),
        tuple(rows),
        chart="ranges",
        note=_(
            "Whole days from the request to the first move into shelter or relocation. "
            "A quarter of the people took less than the first quartile, half less than "
            "the median. Shown once %(n)s people reached it."
        )
        % {"n": threshold},
    )
