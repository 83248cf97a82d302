"""Suppression at the edges of its rule: exactly the threshold, cells of two, all ones, zeros.

Each expected table is worked out by hand from the rule in stats/suppression.py,
or found by an exhaustive search that knows only the rule (below); each is also
checked against the attacker. A table that hides less fails on the attacker or
on a line's sum, one that hides more on the exact cells or the cost.
"""

import itertools

import pytest

from stats.suppression import Grid, suppress_grid, suppress_line
from tests.stats import attacker

T = 5
H, S = True, False  # hidden, shown


def hidden_line(values, *, threshold=T, hide_total=False):
    line = suppress_line(values, threshold=threshold, hide_total=hide_total)
    equations, truth, hidden = attacker.one_way(values, line.cells, line.total)
    assert attacker.recovered(equations, truth, hidden) == set()
    return line.cells, line.total


# --- One-way tables ---


def test_hidden_cells_holding_exactly_the_threshold_need_no_third():
    # 1 + 4 = 5 hidden: a publishable number, and the 4 can give one to the 1.
    assert hidden_line([1, 4, 30]) == ((True, True, False), False)


def test_a_hidden_cell_of_two_can_trade_with_the_others():
    # 2 + 2 + 1 = 5: either 2 may be a 1 and the 1 a 2. Nothing more to hide.
    assert hidden_line([2, 2, 1, 30]) == ((True, True, True, False), False)


def test_at_threshold_two_a_cell_of_two_trades_with_a_one():
    # Only 1 is small. Hiding the 2 beside it: 2 + 1 = 3, and (1, 2) fits too.
    assert hidden_line([2, 1], threshold=2) == ((True, True), False)


def test_ones_pinned_by_the_total_take_in_a_big_cell_rather_than_hide_the_total():
    # Five hidden ones hold 5 together, but each can only be 1: hiding the
    # 30 lets any of them hold more. The total stays shown.
    assert hidden_line([1, 1, 1, 1, 1, 30]) == ((True,) * 6, False)


def test_at_threshold_two_ones_take_in_a_cell_of_exactly_two():
    # 1 + 1 hidden beside a shown 2: total 4 minus 2 pins both ones. Hiding
    # the 2 (it can give one away) is cheaper than hiding the total.
    assert hidden_line([1, 1, 2], threshold=2) == ((True, True, True), False)


def test_a_forced_total_of_zero_stays_shown():
    # Nobody in the table: a zero names no one, forced or not.
    assert suppress_line([0, 0], threshold=T, hide_total=True).total is False


def test_it_says_why_it_refuses_a_threshold_or_a_count():
    with pytest.raises(ValueError, match="^a threshold below 2 hides nothing$"):
        suppress_line([3], threshold=1)
    with pytest.raises(ValueError, match="^counts are whole numbers, zero or more$"):
        suppress_line([-1], threshold=T)
    with pytest.raises(ValueError, match="^counts are whole numbers, zero or more$"):
        suppress_line([2.5, 3], threshold=T)


def test_the_smallest_useful_threshold_is_accepted():
    assert suppress_line([1, 9], threshold=2).cells == (True, True)


# --- Two-way tables ---


def hidden_grid(rows, *, threshold=T, hide_total=False):
    grid = suppress_grid(rows, threshold=threshold, hide_total=hide_total)
    equations, truth, hidden = attacker.two_way(rows, grid)
    assert attacker.recovered(equations, truth, hidden) == set()
    return grid


def test_a_one_row_table_with_a_forced_total_hides_its_smaller_cell():
    # The row total is the grand total: hidden. One cell must go with it,
    # the 3 rather than the 20, and then the 3's column total too.
    grid = hidden_grid([[20, 3]], threshold=3, hide_total=True)
    assert grid == Grid(((False, True),), (True,), (False, True), True)


def test_a_table_without_rows_or_without_columns_hides_nothing():
    assert suppress_grid([], threshold=T) == Grid((), (), (), False)
    assert suppress_grid([[], []], threshold=T) == Grid(((), ()), (False, False), (), False)


def test_it_refuses_rows_of_different_lengths_and_says_so():
    with pytest.raises(ValueError, match="^every row needs the same number of cells$"):
        suppress_grid([[1, 2], [3]], threshold=T)


def test_a_forced_grand_total_of_zero_stays_shown():
    grid = suppress_grid([[0, 0], [0, 0]], threshold=T, hide_total=True)
    assert grid == Grid(((False, False), (False, False)), (False, False), (False, False), False)


# --- No cheaper table would do ---
#
# The search below knows only the rule: every table that hides the small
# positions (and a forced grand total), keeps each line with a shown total
# at `threshold` or more hidden, and leaves the attacker nothing. Its cost
# puts inner cells before totals and the grand total last. On these small
# tables the cheapest such table is the one suppress_grid gives.

MARGIN, GRAND = 10**9, 10**12


def extended(rows):
    table = [[*row, sum(row)] for row in rows]
    return [*table, [sum(column) for column in zip(*table, strict=True)]]


def cost(table, position):
    a, b = position
    n, m = len(table) - 1, len(table[0]) - 1
    weight = GRAND if (a, b) == (n, m) else MARGIN if a == n or b == m else 0
    return weight + table[a][b]


def publishable(rows, hidden, threshold):
    table = extended(rows)
    n, m = len(rows), len(rows[0])
    lines = [([(a, b) for b in range(m)], (a, m)) for a in range(n + 1)]
    lines += [([(a, b) for a in range(n)], (n, b)) for b in range(m + 1)]
    for cells, total in lines:
        inside = [table[a][b] for a, b in cells if (a, b) in hidden]
        if total not in hidden and inside and sum(inside) < threshold:
            return False
    truth = {(a, b): table[a][b] for a in range(n + 1) for b in range(m + 1)}
    return attacker.recovered(attacker.line_equations(lines), truth, hidden) == set()


def cheapest_extra_cost(rows, threshold, hide_total):
    table = extended(rows)
    positions = [(a, b) for a, row in enumerate(table) for b, v in enumerate(row) if v > 0]
    grand = (len(rows), len(rows[0]))
    must = {(a, b) for a, b in positions if table[a][b] < threshold}
    must |= {grand} if hide_total and grand in positions else set()
    free = [p for p in positions if p not in must]
    costs = [
        sum(cost(table, p) for p in extra)
        for k in range(len(free) + 1)
        for extra in itertools.combinations(free, k)
        if publishable(rows, must | set(extra), threshold)
    ]
    return min(costs)


def hidden_positions(rows, grid):
    n, m = len(rows), len(rows[0])
    hidden = {(a, b) for a in range(n) for b in range(m) if grid.cells[a][b]}
    hidden |= {(a, m) for a in range(n) if grid.row_totals[a]}
    hidden |= {(n, b) for b in range(m) if grid.column_totals[b]}
    return hidden | ({(n, m)} if grid.total else set())


def extra_cost(rows, grid, threshold, hide_total):
    table = extended(rows)
    forced = {(len(rows), len(rows[0]))} if hide_total else set()
    hidden = hidden_positions(rows, grid)
    extra = {(a, b) for a, b in hidden if table[a][b] >= threshold} - forced
    return sum(cost(table, p) for p in extra)


@pytest.mark.parametrize(
    ("rows", "threshold", "hide_total", "expected"),
    [
        # A hidden 2 may give one to the hidden 1 beside it (and the column
        # totals follow): the row total 3 and the grand total stay shown.
        ([[0, 0], [1, 2]], 3, False, Grid(((S, S), (H, H)), (S, S), (H, H), S)),
        # The 6 (an inner cell) and two column totals, rather than row totals.
        ([[0, 2, 0], [1, 1, 6]], 2, False, Grid(((S, S, S), (H, H, H)), (S, S), (H, H, H), S)),
        # Already hidden positions cost nothing to go through again.
        ([[1, 1], [2, 1]], 2, True, Grid(((H, H), (H, H)), (H, S), (S, H), H)),
        ([[20, 3]], 3, True, Grid(((S, H),), (H,), (S, H), H)),
        # A cycle through one margin (the row total 4) and the forced grand total.
        ([[3, 1, 0], [1, 6, 2]], 3, True, Grid(((H, H, S), (H, H, H)), (H, S), (S, S, H), H)),
    ],
)
def test_it_hides_no_more_than_the_cheapest_table_that_would_do(
    rows, threshold, hide_total, expected
):
    grid = hidden_grid(rows, threshold=threshold, hide_total=hide_total)
    assert extra_cost(rows, grid, threshold, hide_total) == cheapest_extra_cost(
        rows, threshold, hide_total
    )
    assert grid == expected


@pytest.mark.parametrize(
    "rows",
    [
        # The totals row: 8 shown, the 5 beside it shown, so the two hidden
        # column totals are known to hold 3 together.
        [[0, 0, 4], [2, 1, 1]],
        # A one-row table: its hidden cells would be known to hold 3.
        [[1, 2, 6]],
        # The last column's line as much as the others.
        [[2, 1], [0, 1], [3, 2]],
    ],
)
def test_every_line_with_a_shown_total_hides_the_threshold_or_more(rows):
    grid = suppress_grid(rows, threshold=T)
    assert publishable(rows, hidden_positions(rows, grid), T)
