"""What else the case page shows, told by the apps above intake.

Intake may not import them (docs/architecture.md): network registers the
open exposure warnings (at the top of the page) and the linked cases, from
its AppConfig.ready. A section is called with the case, already checked to
be visible to the user, the user, and the forms a refused submit passed in
bound (so its errors and what was typed show where the person is looking);
its template gets the result as `s`, beside the page's own context.
"""

from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import User
from intake.models import Case

# Where on the page: above everything else, or among the cards.
PLACES = ("top", "main")

Context = Callable[..., dict]  # (case, *, user, forms) -> what the template shows


@dataclass(frozen=True)
class Section:
    template: str
    context: Context
    place: str


@dataclass(frozen=True)
class Shown:
    template: str
    data: dict


_sections: dict[str, Section] = {}


def register(name: str, *, template: str, context: Context, place: str = "main") -> None:
    if place not in PLACES:
        raise ValueError(f"a case page section goes in one of {PLACES}, not {place!r}")
    _sections[name] = Section(template, context, place)


def sections_for(case: Case, *, user: User, forms: dict) -> dict[str, list[Shown]]:
    shown: dict[str, list[Shown]] = {place: [] for place in PLACES}
    for section in _sections.values():
        data = section.context(case, user=user, forms=forms)
        shown[section.place].append(Shown(section.template, data))
    return shown
