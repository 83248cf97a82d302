"""The states of an evacuation plan and of its legs, defined here and nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.errors import Refused


class LegStatus(models.TextChoices):
    # States, never the words of the buttons that reach them (plan_detail.html).
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", pgettext_lazy("leg status", "Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


L = LegStatus
LEG_TRANSITIONS: dict[str, frozenset[str]] = {
    L.PLANNED: frozenset({L.UNDER_WAY, L.CANCELLED}),
    L.UNDER_WAY: frozenset({L.DONE, L.FAILED, L.CANCELLED}),
    L.DONE: frozenset(),
    L.FAILED: frozenset(),
    L.CANCELLED: frozenset(),
}
# A leg in one of these still has to happen: a plan holding one is not finished.
PENDING = frozenset({L.PLANNED, L.UNDER_WAY})


class PlanStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPLETED = "completed", _("Completed: arrived")
    CANCELLED = "cancelled", _("Cancelled")


class PlanError(Refused):
    """A change the plan or its legs do not allow, with a message for the user."""


def check_leg_move(current: str, target: str) -> None:
    if target not in LEG_TRANSITIONS.get(current, ()):
        raise PlanError(
            _("A leg cannot move from “%(current)s” to “%(target)s”.")
            % {"current": LegStatus(current).label, "target": _label(target)}
        )


def _label(value: str) -> str:
    return LegStatus(value).label if value in LegStatus.values else value


class NextStep(models.TextChoices):
    """What happens after a leg failed: the form asks, the plan follows."""

    RETRY = "retry", _("Try this leg again: add it once more after this one")
    REPLAN = "replan", _("Change the plan: I will add, reorder or cancel legs")
    STOP = "stop", _("Stop this evacuation: cancel the plan")
