"""Purge what the retention policy says has expired, and what a person asks us to forget.

One transaction per batch of cases: a worker killed midway leaves every
case either whole or gone, with its counts added exactly once, and the next
run picks up the rest. Batches, because a case at a time (a dozen queries
each) cannot keep up with an archive of a hundred thousand.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import record_many
from intake.models import Case
from intake.status import Status
from referrals.models import Referral
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


def _counter_keys(case: Case, outcome: str) -> list[tuple[str, str, str, str]]:
    created = timezone.localtime(case.created_at)
    quarter = f"{created.year}Q{(created.month - 1) // 3 + 1}"
    values = [(Dim.CASE, ""), (Dim.OUTCOME, outcome)]
    values += [(Dim.THREAT, t) for t in case.threats] + [(Dim.NEED, n) for n in case.needs]
    return [(quarter, case.region, dimension, value) for dimension, value in values]


def _add_counts(counts: Counter) -> None:
    """Add to the retired-case counters, in the caller's transaction."""
    keys = sorted(counts)  # one order for every writer: no deadlock between two purges
    RetiredCaseCount.objects.bulk_create(
        [RetiredCaseCount(quarter=q, region=r, dimension=d, value=v) for q, r, d, v in keys],
        ignore_conflicts=True,
    )
    rows = RetiredCaseCount.objects.select_for_update().filter(
        quarter__in={k[0] for k in keys}, region__in={k[1] for k in keys}
    )
    changed = []
    for row in rows.order_by("pk"):
        if added := counts.get((row.quarter, row.region, row.dimension, row.value)):
            row.count += added
            changed.append(row)
    RetiredCaseCount.objects.bulk_update(changed, ["count"])


# Plain columns only: a purge must work even for a row it cannot decrypt.
PURGE_FIELDS = ["pk", "reference", "closure_reason", "created_at", "region", "threats", "needs"]


def _purge(cases: QuerySet[Case], *, reason: str, by: User | None = None, why: str = "") -> int:
    """Delete these cases and everything hanging off them at once; keep only counts."""
    with transaction.atomic():
        locked = list(cases.filter(legal_hold=False).select_for_update().only(*PURGE_FIELDS))
        if not locked:
            return 0
        _add_counts(
            Counter(
                key
                for case in locked
                for key in _counter_keys(case, case.closure_reason if reason == CLOSED else reason)
            )
        )
        reserved = Referral.objects.filter(case__in=locked, place_reserved=True)
        for referral in reserved.select_related("partner"):
            release_reserved_place(referral)
        references = [case.reference for case in locked]
        Case.objects.filter(pk__in=[case.pk for case in locked]).delete()
        detail = {"reason": reason, "why": why} if why else {"reason": reason}
        record_many(
            Action.PURGE, actor=by, object_type="case", object_refs=references, detail=detail
        )
    # References and reason codes only: the log outlives the case.
    for reference in references:
        log.info("purged case %s (%s%s)", reference, reason, f": {why}" if why else "")
    return len(locked)


def case_purge(*, case_id: int, reason: str, by: User | None = None, why: str = "") -> bool:
    """Delete one case and everything hanging off it; keep only counts. False if skipped."""
    return bool(_purge(Case.objects.filter(pk=case_id), reason=reason, by=by, why=why))


def purge_expired(*, now: datetime | None = None, limit: int | None = None) -> Counter:
    """Purge expired cases in batches; return counts by reason."""
    now = now or timezone.now()
    policy = RetentionPolicy.current()
    batch = settings.CORRIDOR_RETENTION["BATCH_SIZE"]
    purged: Counter = Counter()
    for reason, expired in ((CLOSED, closed_expired), (STALE, stale_expired)):
        while limit is None or sum(purged.values()) < limit:
            size = batch if limit is None else min(batch, limit - sum(purged.values()))
            # Any `size` of them: each pass purges what it found, the next finds the rest.
            ids = list(expired(now, policy).order_by().values_list("pk", flat=True)[:size])
            if not ids:
                break
            # Expiry is checked again under the lock: a case reopened meanwhile stays.
            purged[reason] += _purge(expired(now, policy).filter(pk__in=ids), reason=reason)
    return +purged
