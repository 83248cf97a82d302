"""Small-cell suppression on hand-made tables, and an attacker who tries to undo it."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stats.suppression import Grid, hidden_text, suppress_grid, suppress_line
from tests.stats import attacker

T = 5


def shown(values, line):
    return [hidden_text(T) if h else str(v) for v, h in zip(values, line.cells, strict=True)]


# --- One-way tables ---


def test_a_single_small_cell_is_hidden_and_so_is_a_second_one():
    values = [12, 3, 20, 9]
    line = suppress_line(values, threshold=T)
    # The total (44) is shown: with only the 3 hidden, 44 - 12 - 20 - 9 gives it back.
    assert shown(values, line) == ["12", "<5", "20", "<5"]
    assert not line.total


def test_the_second_cell_is_the_smallest_that_does_the_job():
    line = suppress_line([40, 2, 30, 7, 8], threshold=T)
    assert line.cells == (False, True, False, True, False)


def test_zero_is_shown_and_never_hides_anything():
    values = [0, 3, 0, 15]
    line = suppress_line(values, threshold=T)
    assert shown(values, line) == ["0", "<5", "0", "<5"]


def test_nothing_is_hidden_when_nothing_is_small():
    line = suppress_line([5, 6, 0, 100], threshold=T)
    assert not any(line.cells) and not line.total


def test_a_small_total_is_hidden_with_its_cells():
    line = suppress_line([1, 2, 0], threshold=T)
    assert line.cells == (True, True, False) and line.total


def test_hidden_cells_that_add_up_to_a_small_number_take_in_another():
    # 1 + 2 hidden: the total tells a reader that exactly 3 people are in them.
    line = suppress_line([1, 2, 30, 40], threshold=T)
    assert line.cells == (True, True, True, False)


def test_ones_that_the_total_would_pin_down_hide_the_total():
    # Five ones, total 5: every hidden cell is at least 1, so each is exactly 1.
    line = suppress_line([1, 1, 1, 1, 1], threshold=T)
    assert line.total


def test_a_forced_total_takes_a_cell_with_it():
    # Hidden elsewhere, the total would still be the sum of the cells shown here.
    line = suppress_line([10, 7, 20], threshold=T, hide_total=True)
    assert line.total and line.cells == (False, True, False)


def test_it_refuses_a_useless_threshold_and_negative_counts():
    with pytest.raises(ValueError):
        suppress_line([1, 2], threshold=1)
    with pytest.raises(ValueError):
        suppress_line([-1, 2], threshold=T)


# --- The differencing attack ---


def test_primary_suppression_alone_is_undone_by_subtraction():
    """The attack works on a table that hides only the small cell: the total gives it away."""
    values = [12, 3, 20, 9]
    naive = [False, True, False, False]
    equations, truth, hidden = attacker.one_way(values, naive, total_hidden=False)
    assert attacker.recovered(equations, truth, hidden) == {("cell", 1)}


@pytest.mark.parametrize(
    "values",
    [
        [12, 3, 20, 9],
        [1, 1, 20],
        [1, 2, 30, 40],
        [4, 5, 0, 11],
        [1, 1, 1, 1, 1],
        [1, 0, 0, 6],
        [3, 3, 3],
        [2, 1, 1, 9, 50],
    ],
)
def test_no_hidden_cell_of_a_one_way_table_can_be_recovered(values):
    line = suppress_line(values, threshold=T)
    equations, truth, hidden = attacker.one_way(values, line.cells, line.total)
    assert hidden, "the table has a small cell"
    assert attacker.recovered(equations, truth, hidden) == set()
    if not line.total:
        assert sum(v for v, h in zip(values, line.cells, strict=True) if h) >= T


def test_two_publications_that_differ_by_one_person_do_not_say_which_cell_grew():
    """Yesterday's and today's table: one more person, in a hidden cell."""
    before, after = [20, 3, 6, 0], [20, 4, 6, 0]
    lines = [suppress_line(v, threshold=T) for v in (before, after)]
    assert [shown(v, line) for v, line in zip((before, after), lines, strict=True)] == [
        ["20", "<5", "<5", "0"],
        ["20", "<5", "<5", "0"],
    ]
    # Both tables, and "the second has one person more, in one cell", as equations.
    truth, hidden, equations, bounds = {}, set(), [], {}
    for name, values, line in (("A", before, lines[0]), ("B", after, lines[1])):
        cells = [(name, i) for i in range(len(values))]
        truth |= dict(zip(cells, values, strict=True)) | {(name, "total"): sum(values)}
        hidden |= {c for c, h in zip(cells, line.cells, strict=True) if h}
        equations.append([*((c, 1) for c in cells), ((name, "total"), -1)])
    for i in range(len(before)):
        truth[("new", i)] = after[i] - before[i]
        hidden.add(("new", i))
        bounds[("new", i)] = (0, 1)
        equations.append([(("B", i), 1), (("A", i), -1), (("new", i), -1)])
    truth["one"] = 1
    equations.append([*((("new", i), 1) for i in range(len(before))), ("one", -1)])
    # All the attacker learns: the new person is not in a shown cell that did not change.
    assert attacker.recovered(equations, truth, hidden, bounds=bounds) == {("new", 0), ("new", 3)}


# --- Two-way tables ---


def test_a_small_cell_of_a_two_way_table_hides_a_rectangle():
    rows = [[1, 8, 9], [7, 8, 9], [6, 9, 12]]
    grid = suppress_grid(rows, threshold=T)
    hidden = {(a, b) for a in range(3) for b in range(3) if grid.cells[a][b]}
    assert hidden == {(0, 0), (0, 1), (2, 0), (2, 1)}
    assert not any(grid.row_totals) and not any(grid.column_totals) and not grid.total


def test_a_lone_small_cell_in_its_row_and_column_hides_totals_not_the_grand_total():
    rows = [[1, 0, 0], [0, 6, 7], [0, 8, 9]]
    grid = suppress_grid(rows, threshold=T)
    assert grid.cells[0][0] and grid.row_totals[0] and grid.column_totals[0]
    assert not grid.total
    equations, truth, hidden = attacker.two_way(rows, grid)
    assert attacker.recovered(equations, truth, hidden) == set()


def test_primary_suppression_alone_is_undone_in_a_two_way_table():
    rows = [[1, 8, 9], [7, 8, 9]]
    naive = Grid(((True, False, False), (False, False, False)), (False, False), (False,) * 3, False)
    equations, truth, hidden = attacker.two_way(rows, naive)
    assert attacker.recovered(equations, truth, hidden) == {(0, 0)}


@pytest.mark.parametrize(
    "rows",
    [
        [[1, 8, 9], [7, 8, 9], [6, 9, 12]],
        [[1, 0, 0], [0, 6, 7], [0, 8, 9]],
        [[1, 1], [1, 1]],
        [[2, 0, 9], [0, 3, 9], [9, 9, 0]],
        [[4, 5, 6], [5, 4, 6]],
        [[1, 20, 30], [2, 40, 50], [1, 1, 60]],
        [[0, 0], [0, 3]],
        [[1, 2, 3]],
        [[2, 2, 30], [9, 9, 30]],
    ],
)
def test_no_hidden_cell_of_a_two_way_table_can_be_recovered(rows):
    grid = suppress_grid(rows, threshold=T)
    equations, truth, hidden = attacker.two_way(rows, grid)
    assert attacker.recovered(equations, truth, hidden) == set()
    for cells, total in _lines(len(rows), len(rows[0])):
        if total not in hidden and (inside := [c for c in cells if c in hidden]):
            assert sum(truth[c] for c in inside) >= T, (cells, total)


def test_a_forced_grand_total_hides_cells_too():
    rows = [[10, 12], [11, 14]]
    grid = suppress_grid(rows, threshold=T, hide_total=True)
    assert grid.total
    equations, truth, hidden = attacker.two_way(rows, grid)
    assert attacker.recovered(equations, truth, hidden) == set()


def test_an_empty_table_hides_nothing():
    assert suppress_grid([], threshold=T).total is False
    grid = suppress_grid([[0, 0], [0, 0]], threshold=T)
    assert not any(map(any, grid.cells)) and not grid.total


def _lines(n, m):
    for a in range(n + 1):
        yield [(a, b) for b in range(m)], (a, m)
    for b in range(m + 1):
        yield [(a, b) for a in range(n)], (n, b)


small_tables = st.integers(1, 3).flatmap(
    lambda n: st.integers(2, 3).flatmap(
        lambda m: st.lists(
            st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 9]), min_size=m, max_size=m),
            min_size=n,
            max_size=n,
        )
    )
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=small_tables, threshold=st.integers(3, 5))
def test_no_generated_table_gives_a_hidden_cell_away(rows, threshold):
    grid = suppress_grid(rows, threshold=threshold)
    equations, truth, hidden = attacker.two_way(rows, grid)
    for position, value in truth.items():
        if 0 < value < threshold:
            assert position in hidden
        if value == 0:
            assert position not in hidden
    cap = truth[(len(rows), len(rows[0]))] + 40
    assert attacker.recovered(equations, truth, hidden, cap=cap) == set()
    for cells, total in _lines(len(rows), len(rows[0])):
        if total not in hidden and (inside := [c for c in cells if c in hidden]):
            assert sum(truth[c] for c in inside) >= threshold


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.sampled_from([0, 1, 1, 2, 3, 4, 5, 7, 12]), min_size=1, max_size=6),
    threshold=st.integers(3, 5),
)
def test_no_generated_one_way_table_gives_a_hidden_cell_away(values, threshold):
    line = suppress_line(values, threshold=threshold)
    equations, truth, hidden = attacker.one_way(values, line.cells, line.total)
    assert attacker.recovered(equations, truth, hidden) == set()
