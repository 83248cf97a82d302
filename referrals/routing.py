"""Rank partners for a case and a service, and say why.

A caseworker in a crisis needs the right partner first, and needs to see
why it is first: every point of the score comes with its reason.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from intake.models import Case
from referrals.models import Partner, Referral
from referrals.status import OPEN, ReferralStatus

# The country each coarse region lies in, for partners that serve a country.
REGION_COUNTRY = {
    "azerbaijan": "AZ",
    "tajikistan": "TJ",
    "other": None,
}

WEIGHTS = {"region": 3.0, "language": 2.0, "capacity": 2.0, "acknowledged": 2.0, "accepted": 2.0}
LOAD_PENALTY = 0.25  # per open referral, up to
MAX_LOAD_PENALTY = 2.5
# A partner with no history counts as average, neither rewarded nor punished.
UNKNOWN_RATE = 0.5


@dataclass
class Ranked:
    partner: Partner
    score: float = 0.0
    reasons: list[tuple[float, str]] = field(default_factory=list)
    open_load: int = 0
    available: bool = True

    def add(self, points: float, reason: str) -> None:
        self.score += points
        self.reasons.append((round(points, 2), reason))


def partner_history(partners) -> dict[int, dict]:
    """Open load and past response per partner, in one query."""
    S = ReferralStatus
    now = timezone.now()
    rows = (
        Referral.objects.filter(partner__in=partners)
        .values("partner")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN)),
            # Referrals whose answer (acknowledge or decline) is in, or whose
            # deadline has passed; one withdrawn before its deadline never was due.
            due=Count(
                "pk",
                filter=(Q(responded_at__isnull=False) | Q(ack_due_at__lt=now))
                & ~Q(status=S.WITHDRAWN, responded_at__isnull=True, closed_at__lt=F("ack_due_at")),
            ),
            acked_in_time=Count(
                "pk",
                filter=Q(responded_at__isnull=False) & Q(responded_at__lte=F("ack_due_at")),
            ),
            answered=Count("pk", filter=Q(status__in=[S.ACCEPTED, S.COMPLETED, S.DECLINED])),
            accepted=Count("pk", filter=Q(status__in=[S.ACCEPTED, S.COMPLETED])),
        )
    )
    return {row.pop("partner"): row for row in rows}


def rank_partners(case: Case, service: str) -> list[Ranked]:
    """Active partners offering the service, best fit first; full ones last."""
    partners = list(
        Partner.objects.filter(active=True, services__contains=f",{service},").defer(
            "contact_details"
        )
    )
    history = partner_history(partners)
    ranked = [score_partner(p, case, history.get(p.pk, {})) for p in partners]
    return sorted(ranked, key=lambda r: (not r.available, -r.score, r.open_load, r.partner.name))


def score_partner(partner: Partner, case: Case, history: dict) -> Ranked:
    r = Ranked(partner, open_load=history.get("open", 0))
    country = REGION_COUNTRY.get(case.region, "RU")
    if case.region in partner.regions:
        r.add(WEIGHTS["region"], _("serves the person's region"))
    elif country and country in partner.countries:
        r.add(WEIGHTS["region"], _("works in the person's country"))
    shared = [lang for lang in case.languages if lang in partner.languages]
    if shared:
        r.add(WEIGHTS["language"], _("speaks a language of the person"))
    if partner.capacity is None:
        r.add(WEIGHTS["capacity"], _("places are not limited"))
    elif partner.capacity == 0:
        r.available = False
        r.reasons.append((0, _("no free places")))
    else:
        r.add(
            WEIGHTS["capacity"],
            ngettext("has %(n)s free place", "has %(n)s free places", partner.capacity)
            % {"n": partner.capacity},
        )
    if r.open_load:
        penalty = min(r.open_load * LOAD_PENALTY, MAX_LOAD_PENALTY)
        r.add(
            -penalty,
            ngettext("%(n)s open referral", "%(n)s open referrals", r.open_load)
            % {"n": r.open_load},
        )
    due, answered = history.get("due", 0), history.get("answered", 0)
    ack_rate = history["acked_in_time"] / due if due else UNKNOWN_RATE
    accept_rate = history["accepted"] / answered if answered else UNKNOWN_RATE
    r.add(
        WEIGHTS["acknowledged"] * ack_rate,
        _("answered %(p)s%% in time") % {"p": round(ack_rate * 100)}
        if due
        else _("no acknowledgements due yet"),
    )
    r.add(
        WEIGHTS["accepted"] * accept_rate,
        _("accepted %(p)s%% of answered referrals") % {"p": round(accept_rate * 100)}
        if answered
        else _("no answers yet"),
    )
    return r
