"""Requests with a past: made in completed quarters, moved, referred, closed."""

import random
from datetime import timedelta

from django.utils import timezone

from intake.choices import Need, Region, Risk, Threat
from intake.models import Case, StatusChange
from intake.status import ClosureReason, Status
from referrals.models import PartnerKind
from retention.measures import days_between
from stats.queries import Period, collect
from stats.tables import build
from tests.factories import CaseFactory, PartnerFactory, ReferralFactory

DAY = timedelta(days=1)


def request(*, days_ago: int = 200, **fields) -> Case:
    """A request made `days_ago` days ago (200: always a completed quarter)."""
    fields.setdefault("created_at", timezone.now() - days_ago * DAY)
    return CaseFactory(**fields)


def reach(case: Case, status: str, *, after_days: int) -> StatusChange:
    """Record the case moving into `status` this many days after the request."""
    change = StatusChange.objects.create(
        case=case,
        from_status=Status.ACTIVE,
        to_status=status,
        at=case.created_at + after_days * DAY,
    )
    Case.objects.filter(pk=case.pk).update(status=status)
    assert days_between(case.created_at, change.at) == after_days
    return change


def close(case: Case, reason: str = ClosureReason.STABLE, *, days_ago: int = 100) -> None:
    Case.objects.filter(pk=case.pk).update(
        status=Status.CLOSED, closure_reason=reason, closed_at=timezone.now() - days_ago * DAY
    )


def go_stale(case: Case, *, days_ago: int = 40) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - days_ago * DAY)


def refer(case: Case, partner, *, service: str = "shelter", outcome: str = "accepted"):
    """A sent referral that ended as `outcome` (sent, declined, accepted, completed, ...)."""
    now = timezone.now()
    fields = {"status": outcome, "sent_at": now - 30 * DAY}
    if outcome in ("accepted", "completed", "withdrawn_after_acceptance"):
        fields["accepted_at"] = now - 29 * DAY
    if outcome == "withdrawn_after_acceptance":
        fields["status"] = "withdrawn"
    if outcome == "draft":
        fields = {"status": "draft"}
    return ReferralFactory(case=case, partner=partner, service=service, **fields)


def past(team, *, seed: int = 8, size: int = 60) -> list[Case]:
    """A varied history: every kind of ending, some expired, some on hold, some still open."""
    rng = random.Random(seed)
    partners = [
        PartnerFactory(team=team, kind=kind, name=f"History partner {kind} {seed}")
        for kind in PartnerKind.values
    ]
    cases = []
    for i in range(size):
        case = request(
            days_ago=rng.choice([120, 200, 290, 380]),
            team=team,
            alias=f"HISTORY-ALIAS-{i}",
            region=rng.choice(Region.values[:5]),
            risk=rng.choice(Risk.values),
            threats=rng.sample(Threat.values, rng.randint(0, 3)),
            needs=rng.sample(Need.values, rng.randint(1, 3)),
        )
        ending = rng.choice(["expired", "expired", "stale", "recent", "open", "held"])
        if ending != "stale" and rng.random() < 0.7:
            sheltered = rng.randint(0, 20)
            reach(case, Status.SHELTERED, after_days=sheltered)
            if rng.random() < 0.6:
                reach(case, Status.RELOCATED, after_days=sheltered + rng.randint(1, 15))
        for _ in range(rng.randint(0, 2)):
            refer(
                case,
                rng.choice(partners),
                service=rng.choice(Need.values),
                outcome=rng.choice(
                    ["sent", "acknowledged", "declined", "accepted", "completed", "expired"]
                    + ["withdrawn", "withdrawn_after_acceptance", "draft"]
                ),
            )
        if ending == "expired":
            close(case, rng.choice(ClosureReason.values), days_ago=95)
        elif ending == "recent":
            close(case, rng.choice(ClosureReason.values), days_ago=10)
        elif ending == "held":
            close(case, days_ago=95)
            Case.objects.filter(pk=case.pk).update(legal_hold=True)
        elif ending == "stale":
            Case.objects.filter(pk=case.pk).update(status=rng.choice([Status.NEW, "verifying"]))
            go_stale(case)
        cases.append(case)
    return cases


def raw():
    """Every number the statistics are made of, as plain data."""
    counts = collect(Period.completed_quarters())
    return {
        "requests": dict(counts.requests),
        "threats": dict(counts.threats),
        "needs": dict(counts.needs),
        "risk": dict(counts.risk),
        "outcomes": dict(counts.outcomes),
        "referrals": {k: (t.sent, t.answered, t.accepted) for k, t in counts.referrals.items()},
        "milestones": {k: dict(v) for k, v in counts.milestones.items()},
    }


def published(threshold: int = 5):
    """Every table as its reader sees it: labels and cell texts."""
    period = Period.completed_quarters()
    stats = build(collect(period), period=period, threshold=threshold)
    return {
        table.slug: [[str(row.label), *(cell.text for cell in row.cells)] for row in table.rows]
        for table in stats.tables
    }
