"""The access matrices: one row per view, one column per persona (tests/conftest.py ROLES)."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from tests.conftest import LIKE, ROLES, SHIELDED

LOGIN = "login"
REFUSED = (LOGIN, 403, 404)


@dataclass(frozen=True)
class Feigned:
    """A shielded session's write: answered as a done one would be, and nothing changed."""

    status: int


F302, F200 = Feigned(302), Feigned(200)


def outcomes(expected: list) -> list[tuple[str, object]]:
    """(persona, outcome) for a row: its columns, then the shielded personas (duress,
    asleep), who get what the outsider gets unless the row names their outcomes too
    (where the outsider acts as team B's coordinator)."""
    if len(expected) == len(ROLES) + len(SHIELDED):  # a row that names them itself
        return list(zip(ROLES + SHIELDED, expected, strict=True))
    pairs = list(zip(ROLES, expected, strict=True))
    like = dict(pairs)[LIKE]
    return pairs + [(role, like) for role in SHIELDED]


def cells(matrix: dict) -> list:
    """One test case per (row, persona): the row's key parts, the persona and the outcome."""
    params = []
    for key, expected in matrix.items():
        parts = key if isinstance(key, tuple) else (key,)
        name = "-".join(str(part) for part in parts[:2])
        for role, outcome in outcomes(expected):
            params.append(pytest.param(*parts, role, outcome, id=f"{name}-{role}"))
    return params


def check(response, outcome, *, method: str = "GET", before=None, after=None) -> None:
    """The expected status, never cached; with snapshots, a refusal changed nothing
    and an allowed POST changed something."""
    if isinstance(outcome, Feigned):
        assert response.status_code == outcome.status, response.content[:800]
        if before is not None:
            assert after == before, "a shielded session's write changed something"
        return
    if outcome == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == outcome, response.content[:800]
    if response.status_code in (200, 400):
        # Pages of case data must not be kept by the browser or a proxy.
        assert "no-store" in response["Cache-Control"]
    if before is None:
        return
    if outcome in REFUSED:
        assert after == before, "a refused request changed something"
    elif method == "POST":
        assert after != before, "an allowed request changed nothing"
