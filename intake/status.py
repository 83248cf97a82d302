"""The case status machine, defined here and nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import Refused


class Status(models.TextChoices):
    NEW = "new", _("New")
    VERIFYING = "verifying", _("Verifying")
    ACTIVE = "active", _("Active")
    SHELTERED = "sheltered", _("Sheltered")
    IN_TRANSIT = "in_transit", _("In transit")
    RELOCATED = "relocated", _("Relocated")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    STABLE = "stable", _("Relocated and stable")
    NOT_NEEDED = "not_needed", _("No longer needed")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    DECLINED = "declined", _("Declined help")
    PROVOCATION = "provocation", _("Suspected provocation")
    DUPLICATE = "duplicate", _("Duplicate")


S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.VERIFYING, S.CLOSED}),
    S.VERIFYING: frozenset({S.ACTIVE, S.CLOSED}),
    S.ACTIVE: frozenset({S.SHELTERED, S.IN_TRANSIT, S.CLOSED}),
    S.SHELTERED: frozenset({S.ACTIVE, S.IN_TRANSIT, S.RELOCATED, S.CLOSED}),
    S.IN_TRANSIT: frozenset({S.SHELTERED, S.RELOCATED, S.CLOSED}),
    S.RELOCATED: frozenset({S.CLOSED}),
    # A person who comes back after closure is verified again: their phone
    # may have been seized in between, and the new contact may be a set-up.
    S.CLOSED: frozenset({S.VERIFYING}),
}


class TransitionError(Refused):
    """A status move the machine does not allow, with a message for the user."""


def check_transition(current: str, target: str, closure_reason: str) -> None:
    if target not in TRANSITIONS.get(current, ()):
        raise TransitionError(
            _("A case cannot move from “%(current)s” to “%(target)s”.")
            % {"current": Status(current).label, "target": _label(target)}
        )
    if target == S.CLOSED and closure_reason not in ClosureReason.values:
        raise TransitionError(_("Closing a case needs a closure reason."))
    if target != S.CLOSED and closure_reason:
        raise TransitionError(_("Only closing a case takes a closure reason."))


def _label(value: str) -> str:
    return Status(value).label if value in Status.values else value
