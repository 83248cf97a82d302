"""The figures shown beside each route template, told by stats above.

The route list is evacuations' page, but its figures follow the statistics
rules (stats/routes.py), and evacuations may not import stats
(docs/architecture.md): stats registers them here from its AppConfig.ready.
"""

from collections.abc import Callable
from typing import Any

from evacuations.models import RouteTemplate

# routes -> their figures: `[route.pk]` for a row, `.period` and `.threshold` for the page.
Figures = Callable[[list[RouteTemplate]], Any]
_figures: Figures | None = None


def register(figures: Figures) -> None:
    global _figures
    _figures = figures


def for_routes(routes: list[RouteTemplate]) -> Any | None:
    """The figures for these routes, or None if no app provides them."""
    return _figures(routes) if _figures else None
