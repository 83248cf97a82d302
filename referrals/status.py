"""The referral status machine, defined here and nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import Refused


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


S = ReferralStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SENT, S.WITHDRAWN}),
    S.SENT: frozenset({S.ACKNOWLEDGED, S.DECLINED, S.WITHDRAWN, S.EXPIRED}),
    S.ACKNOWLEDGED: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN, S.EXPIRED}),
    S.ACCEPTED: frozenset({S.COMPLETED, S.WITHDRAWN}),
    S.COMPLETED: frozenset(),
    S.DECLINED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.EXPIRED: frozenset(),
}
OPEN = frozenset({S.SENT, S.ACKNOWLEDGED, S.ACCEPTED})
# A move into one of these closes the referral and gives back its place.
TERMINAL = frozenset({S.COMPLETED, S.DECLINED, S.WITHDRAWN, S.EXPIRED})
# Who makes which move: the partner organisation or case staff. A job acts
# with no user and is not limited by these (it only ever expires).
PARTNER_MOVES = frozenset({S.ACKNOWLEDGED, S.ACCEPTED, S.DECLINED, S.COMPLETED})
STAFF_MOVES = frozenset({S.SENT, S.WITHDRAWN})


class ReferralError(Refused):
    """A referral action that is not allowed now, with a message for the user."""


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise ReferralError(
            _("A referral cannot move from “%(current)s” to “%(target)s”.")
            % {"current": S(current).label, "target": S(target).label}
        )
