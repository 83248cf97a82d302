"""Purge what the retention policy says has expired, and what a person asks us to forget.

One transaction per case: a worker killed midway leaves every case either
whole or gone, with its counts added exactly once, and the next run picks
up the rest.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import record
from intake.models import Case
from intake.status import Status
from referrals.services import release_reserved_place
from retention.models import RetentionPolicy, RetiredCaseCount

log = logging.getLogger(__name__)
Dim = RetiredCaseCount.Dimension

CLOSED = "closed"
STALE = "stale_unverified"
FORGOTTEN = "forgotten"


@dataclass(frozen=True)
class Expired:
    reference: str
    reason: str


def closed_expired(now: datetime, policy: RetentionPolicy) -> QuerySet[Case]:
    cutoff = now - timedelta(days=policy.closed_after_days)
    return Case.objects.filter(status=Status.CLOSED, closed_at__lt=cutoff, legal_hold=False)


def stale_expired(now: datetime, policy: RetentionPolicy) -> QuerySet[Case]:
    cutoff = now - timedelta(days=policy.stale_after_days)
    return Case.objects.filter(
        status__in=[Status.NEW, Status.VERIFYING], updated_at__lt=cutoff, legal_hold=False
    )


def expired_cases(now: datetime | None = None) -> list[Expired]:
    """What a purge would remove now: references and reasons only."""
    now = now or timezone.now()
    policy = RetentionPolicy.current()
    found = [
        Expired(ref, CLOSED)
        for ref in closed_expired(now, policy).values_list("reference", flat=True)
    ]
    found += [
        Expired(ref, STALE)
        for ref in stale_expired(now, policy).values_list("reference", flat=True)
    ]
    return found


def _count(case: Case, outcome: str) -> None:
    created = timezone.localtime(case.created_at)
    quarter = f"{created.year}Q{(created.month - 1) // 3 + 1}"
    keys = [(Dim.CASE, ""), (Dim.OUTCOME, outcome)]
    keys += [(Dim.THREAT, t) for t in case.threats] + [(Dim.NEED, n) for n in case.needs]
    for dimension, value in keys:
        counter, _ = RetiredCaseCount.objects.get_or_create(
            quarter=quarter, region=case.region, dimension=dimension, value=value
        )
        RetiredCaseCount.objects.filter(pk=counter.pk).update(count=F("count") + 1)


def case_purge(*, case_id: int, reason: str, by: User | None = None, why: str = "") -> bool:
    """Delete a case and everything hanging off it; keep only counts. Return False if skipped."""
    with transaction.atomic():
        # Plain columns only: a purge must work even for a row it cannot decrypt.
        case = (
            Case.objects.select_for_update()
            .only(
                "pk",
                "reference",
                "status",
                "closure_reason",
                "legal_hold",
                "created_at",
                "region",
                "threats",
                "needs",
            )
            .filter(pk=case_id)
            .first()
        )
        if case is None or case.legal_hold:
            return False
        outcome = case.closure_reason if reason == CLOSED else reason
        _count(case, outcome)
        for referral in case.referrals.filter(place_reserved=True).select_related("partner"):
            release_reserved_place(referral)
        reference = case.reference
        case.delete()
        record(
            Action.PURGE,
            actor=by,
            object_type="case",
            object_ref=reference,
            detail={"reason": reason, "why": why} if why else {"reason": reason},
        )
    # References and reason codes only: the log outlives the case.
    log.info("purged case %s (%s%s)", reference, reason, f": {why}" if why else "")
    return True


def purge_expired(*, now: datetime | None = None, limit: int | None = None) -> Counter:
    """Purge expired cases in batches; return counts by reason."""
    now = now or timezone.now()
    policy = RetentionPolicy.current()
    batch = settings.CORRIDOR_RETENTION["BATCH_SIZE"]
    purged: Counter = Counter()
    for reason, queryset in ((CLOSED, closed_expired), (STALE, stale_expired)):
        while True:
            ids = list(queryset(now, policy).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            for case_id in ids:
                if case_purge(case_id=case_id, reason=reason):
                    purged[reason] += 1
                if limit is not None and sum(purged.values()) >= limit:
                    return purged
    return purged
