"""Small-cell suppression: tables of counts that identify no one.

The rule, for a table that counts people (or requests):

1. **Primary.** A cell of 1 to threshold-1 is hidden. A total is a cell
   too: hidden when it is that small. Zero is shown: "nobody" names no
   one, a hidden zero would only blur the table, and never hiding a zero
   tells a reader that every hidden cell holds at least one.
2. **Complementary.** Totals are published, so a hidden cell must not be
   what is left when the shown cells are taken from a total. More cells
   are hidden (the smallest that do the job, inner cells before totals,
   never a zero) until, in every line (a row or a column with its total):
   - if the total is shown, the hidden cells of the line hold at least
     `threshold` together: their sum, which subtraction does give, is
     then itself a publishable number (it also means two of them at least);
   - every hidden cell could hold another value: there is a second table,
     with the same totals and shown cells and every hidden cell at least 1,
     in which that cell differs. For a one-way table that is another hidden
     cell (or a hidden total) to trade one with; for a two-way table a
     cycle of hidden cells through rows and columns (a rectangle at least).
   Where no cell can do it, the total is hidden as well.
3. Every hidden cell renders the same (`<5`), whether it was small or hid
   one that is: a reader cannot tell which is which.

The functions here are pure: lists of counts in, which positions to hide
out. A total shared by several tables (the number of requests, in every
table of requests) must be hidden in all of them if it is hidden in one:
`hide_total` forces that (stats/tables.py does the sharing).
"""

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

# Inner cells before totals, and the grand total (shared with other tables)
# only when nothing else works.
MARGIN_COST = 10**9
GRAND_TOTAL_COST = 10**12


def is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def hidden_text(threshold: int) -> str:
    return f"<{threshold}"


@dataclass(frozen=True)
class Line:
    """What to hide in a one-way table: its cells, and its total."""

    cells: tuple[bool, ...]
    total: bool


@dataclass(frozen=True)
class Grid:
    """What to hide in a two-way table with row and column totals."""

    cells: tuple[tuple[bool, ...], ...]
    row_totals: tuple[bool, ...]
    column_totals: tuple[bool, ...]
    total: bool


def _check_counts(values: Sequence[int], threshold: int) -> None:
    if threshold < 2:
        raise ValueError("a threshold below 2 hides nothing")
    if any(not isinstance(v, int) or v < 0 for v in values):
        raise ValueError("counts are whole numbers, zero or more")


def suppress_line(values: Sequence[int], *, threshold: int, hide_total: bool = False) -> Line:
    """Hide the small cells of a one-way table, and enough others that its total gives none away."""
    _check_counts(values, threshold)
    total = sum(values)
    hidden = {i for i, v in enumerate(values) if is_small(v, threshold)}
    total_hidden = (hide_total and total > 0) or is_small(total, threshold)
    while True:
        shown = sorted((v, i) for i, v in enumerate(values) if v > 0 and i not in hidden)
        if total_hidden:
            # A hidden total with every cell shown is their sum; with one
            # hidden cell, either may be one more and the other too.
            if hidden or not shown:
                break
            hidden.add(shown[0][1])
            continue
        if not hidden:
            break
        if sum(values[i] for i in hidden) < threshold:
            candidates = shown
        elif any(values[i] >= 2 for i in hidden):
            # Two hidden cells can trade one whenever either holds two or more.
            break
        else:
            # All ones: the total pins every one of them. A cell of two or
            # more can give one to any of them.
            candidates = [(v, i) for v, i in shown if v >= 2]
        if candidates:
            hidden.add(candidates[0][1])
        else:
            total_hidden = True
    return Line(tuple(i in hidden for i in range(len(values))), total_hidden)


def suppress_grid(
    values: Sequence[Sequence[int]], *, threshold: int, hide_total: bool = False
) -> Grid:
    """Hide the small cells of a two-way table, and enough others that no total gives one away."""
    rows = [list(row) for row in values]
    width = len(rows[0]) if rows else 0
    if any(len(row) != width for row in rows):
        raise ValueError("every row needs the same number of cells")
    for row in rows:
        _check_counts(row, threshold)
    if not rows or not width:
        return Grid(tuple(() for _ in rows), tuple(False for _ in rows), (), False)
    table = _Extended(rows, threshold)
    if hide_total and table.grand_total > 0:
        table.hidden.add(table.grand)
    table.complete()
    n, m = table.last_row, table.last_column
    return Grid(
        cells=tuple(tuple((a, b) in table.hidden for b in range(m)) for a in range(n)),
        row_totals=tuple((a, m) in table.hidden for a in range(n)),
        column_totals=tuple((n, b) in table.hidden for b in range(m)),
        total=table.grand in table.hidden,
    )


class _Extended:
    """A two-way table with its totals as one more row and column.

    Position (a, b) is a cell; (a, last_column) a row total, (last_row, b)
    a column total, (last_row, last_column) the grand total. Each row and
    each column of this extended table is one equation: its cells add up
    to its total.

    A change that keeps every equation true is a cycle through hidden
    positions, alternating between a row and a column: +1 on one, -1 on
    the next, ... Going through a total flips the sign (a total moves with
    its cells), which `_sign` accounts for. Such a cycle through a hidden
    position gives a second table consistent with everything published, so
    that position cannot be recovered, provided no hidden value drops
    below 1 (only positions holding 2 or more may lose one).
    """

    def __init__(self, rows: list[list[int]], threshold: int):
        self.threshold = threshold
        columns = [sum(column) for column in zip(*rows, strict=True)]
        self.values = [[*row, sum(row)] for row in rows] + [[*columns, sum(columns)]]
        self.last_row, self.last_column = len(rows), len(rows[0])
        self.grand = (self.last_row, self.last_column)
        self.grand_total = self.values[self.last_row][self.last_column]
        self.hidden = {
            (a, b)
            for a, row in enumerate(self.values)
            for b, value in enumerate(row)
            if is_small(value, threshold)
        }
        self.protected: set[tuple[int, int]] = set()

    def value(self, position: tuple[int, int]) -> int:
        a, b = position
        return self.values[a][b]

    def cost(self, position: tuple[int, int]) -> int:
        if position == self.grand:
            return GRAND_TOTAL_COST + self.value(position)
        a, b = position
        if a == self.last_row or b == self.last_column:
            return MARGIN_COST + self.value(position)
        return self.value(position)

    def _sign(self, position: tuple[int, int]) -> int:
        a, b = position
        return (-1 if a == self.last_row else 1) * (-1 if b == self.last_column else 1)

    def lines(self):
        """Each equation: its cells and its total."""
        for a in range(self.last_row + 1):
            yield [(a, b) for b in range(self.last_column)], (a, self.last_column)
        for b in range(self.last_column + 1):
            yield [(a, b) for a in range(self.last_row)], (self.last_row, b)

    def complete(self) -> None:
        while self._fix_a_line_sum() or self._fix_an_unprotected_position():
            pass

    def _fix_a_line_sum(self) -> bool:
        for cells, total in self.lines():
            if total in self.hidden:
                continue  # no subtraction: the cycle rule covers this line
            hidden = [p for p in cells if p in self.hidden]
            if hidden and sum(self.value(p) for p in hidden) < self.threshold:
                shown = [p for p in cells if p not in self.hidden and self.value(p) > 0]
                # The total is at least the threshold (else it is hidden), so
                # the hidden cells cannot be all there is.
                self.hidden.add(min(shown, key=lambda p: (self.cost(p), p)))
                return True
        return False

    def _fix_an_unprotected_position(self) -> bool:
        for position in sorted(self.hidden - self.protected):
            if self._cheapest_cycle(position, only_hidden=True) is not None:
                # More hidden positions never break a cycle: checked once.
                self.protected.add(position)
                continue
            cycle = self._cheapest_cycle(position, only_hidden=False)
            if cycle is None:  # pragma: no cover - the grand total always closes one
                raise RuntimeError("no complementary suppression found")
            self.hidden.update(cycle)
            return True
        return False

    def _cheapest_cycle(self, start: tuple[int, int], *, only_hidden: bool):
        """The positions to hide for a cycle through `start`, cheapest first; None if none."""
        best = None
        for direction in (1, -1):
            # `start` is crossed from its row to its column, +1 before the
            # sign flips of totals; the cycle closes from its column back.
            if direction * self._sign(start) < 0 and self.value(start) < 2:
                continue
            found = self._path(start, direction, only_hidden)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        return None if best is None else best[1]

    def _path(self, start, direction, only_hidden):
        """Dijkstra from the column of `start` to its row, over positions that may change."""
        a0, b0 = start
        goal = ("row", a0)
        queue = [(0, ("column", b0), ())]
        settled = set()
        while queue:
            cost, node, added = heapq.heappop(queue)
            if node in settled:
                continue
            settled.add(node)
            if node == goal:
                return cost, added
            kind, index = node
            # From a row the next step is +1 (row to column), from a column -1.
            step = 1 if kind == "row" else -1
            for position in self._edges(kind, index):
                if position == start or self.value(position) == 0:
                    continue
                hidden = position in self.hidden
                if only_hidden and not hidden:
                    continue
                change = direction * step * self._sign(position)
                if change < 0 and self.value(position) < 2:
                    continue
                a, b = position
                target = ("column", b) if kind == "row" else ("row", a)
                if target in settled:
                    continue
                more = 0 if hidden else self.cost(position)
                heapq.heappush(
                    queue, (cost + more, target, added if hidden else (*added, position))
                )
        return None

    def _edges(self, kind: str, index: int):
        if kind == "row":
            return [(index, b) for b in range(self.last_column + 1)]
        return [(a, index) for a in range(self.last_row + 1)]
