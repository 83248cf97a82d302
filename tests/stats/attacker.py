"""An attacker who knows everything published and tries to recover hidden cells exactly.

The published numbers are equations (cells add up to their totals) with
some terms hidden. The attacker knows each hidden value lies in a range
(at least 1: zeros are shown) and searches, by propagation and
backtracking, for a second solution in which a hidden value differs. If
there is none, that value is recovered. Small tables only: the search is
exhaustive when it has to be.
"""

from collections.abc import Hashable, Iterable

Position = Hashable
Equation = list[tuple[Position, int]]  # sum of coefficient * value == 0


def line_equations(lines: Iterable[tuple[list[Position], Position]]) -> list[Equation]:
    """Each (cells, total) as cells - total == 0."""
    return [[*((p, 1) for p in cells), (total, -1)] for cells, total in lines]


def one_way(values: list[int], hidden_cells, total_hidden: bool):
    """Positions, equations, known values and unknowns of a published one-way table."""
    cells = [("cell", i) for i in range(len(values))]
    truth = dict(zip(cells, values, strict=True)) | {("total",): sum(values)}
    hidden = {p for p, h in zip(cells, hidden_cells, strict=True) if h}
    if total_hidden:
        hidden.add(("total",))
    return line_equations([(cells, ("total",))]), truth, hidden


def two_way(rows: list[list[int]], grid):
    """The same for a two-way table with totals, positions as in the extended table."""
    n, m = len(rows), len(rows[0])
    extended = [[*row, sum(row)] for row in rows]
    extended.append([sum(column) for column in zip(*extended, strict=True)])
    truth = {(a, b): extended[a][b] for a in range(n + 1) for b in range(m + 1)}
    hidden = {(a, b) for a in range(n) for b in range(m) if grid.cells[a][b]}
    hidden |= {(a, m) for a in range(n) if grid.row_totals[a]}
    hidden |= {(n, b) for b in range(m) if grid.column_totals[b]}
    if grid.total:
        hidden.add((n, m))
    lines = [([(a, b) for b in range(m)], (a, m)) for a in range(n + 1)]
    lines += [([(a, b) for a in range(n)], (n, b)) for b in range(m + 1)]
    return line_equations(lines), truth, hidden


def recovered(equations, truth, hidden, *, bounds=None, cap=None) -> set[Position]:
    """The hidden positions whose true value is the only one consistent with what is published."""
    cap = cap or sum(v for p, v in truth.items()) + 5
    ranges = {p: (bounds or {}).get(p, (1, cap)) for p in hidden}
    return {p for p in sorted(hidden, key=repr) if _solve(equations, truth, ranges, p) is None}


def _solve(equations, truth, ranges, avoid):
    """A solution in which `avoid` differs from its true value, or None."""

    def allowed(p, v):
        lo, hi = ranges[p]
        return lo <= v <= hi and not (p == avoid and v == truth[p])

    def propagate(assigned):
        assigned = dict(assigned)
        changed = True
        while changed:
            changed = False
            for equation in equations:
                rest, open_terms = 0, []
                for p, coefficient in equation:
                    if p not in ranges:
                        rest += coefficient * truth[p]
                    elif p in assigned:
                        rest += coefficient * assigned[p]
                    else:
                        open_terms.append((p, coefficient))
                if not open_terms:
                    if rest:
                        return None
                elif len(open_terms) == 1:
                    p, coefficient = open_terms[0]
                    value = -rest * coefficient  # coefficients are +1 or -1
                    if not allowed(p, value):
                        return None
                    assigned[p] = value
                    changed = True
        return assigned

    order = sorted(ranges, key=repr)

    def search(assigned):
        assigned = propagate(assigned)
        if assigned is None:
            return None
        free = [p for p in order if p not in assigned]
        if not free:
            return assigned
        p = free[0]
        lo, hi = ranges[p]
        # Near the truth first: a second solution is usually one step away.
        for value in sorted(range(lo, hi + 1), key=lambda v: abs(v - truth[p])):
            if allowed(p, value) and (found := search({**assigned, p: value})) is not None:
                return found
        return None

    return search({})
