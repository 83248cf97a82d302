"""Purge what the retention policy says has expired, and what a person asks us to forget.

One transaction per batch of cases: a worker killed midway leaves every
case either whole or gone, with its counts added exactly once, and the next
run picks up the rest. Batches, because a case at a time (a dozen queries
each) cannot keep up with an archive of a hundred thousand.

What survives is what the statistics show (stats/), so they read the same
before and after a purge: cases by quarter, region and risk, threat, need
and outcome; referrals by service and partner kind (sent, answered,
accepted); days to shelter and to relocation as a histogram; and each
route template's finished evacuations, arrivals and days to arrival.
Counts only: no row stands for a person.
"""

import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import record_many
from evacuations.models import Plan, RetiredRouteCount, RetiredRouteDays
from evacuations.status import PlanStatus
from evidence.services import release_for_cases, sweep
from intake.models import Case, MergedReference, StatusChange
from intake.status import ClosureReason, Status
from referrals.models import Referral
from referrals.services import release_reserved_places
from retention import measures
from retention.measures import FINISHED, plan_days
from retention.models import (
    RetentionPolicy,
    RetiredCaseCount,
    RetiredMilestoneCount,
    RetiredReferralCount,
)

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
    """Closed long enough, and not a duplicate merged into a case that lives: that one
    goes with the case it was merged into (a MergedReference lives as long as that case)."""
    cutoff = now - timedelta(days=policy.closed_after_days)
    return Case.objects.filter(
        status=Status.CLOSED, closed_at__lt=cutoff, legal_hold=False
    ).exclude(reference__in=MergedReference.objects.values("reference"))


def stale_expired(now: datetime, policy: RetentionPolicy) -> QuerySet[Case]:
    cutoff = now - timedelta(days=policy.stale_after_days)
    return Case.objects.filter(
        status__in=[Status.NEW, Status.VERIFYING], updated_at__lt=cutoff, legal_hold=False
    )


def anything_expired(now: datetime | None = None) -> bool:
    now = now or timezone.now()
    policy = RetentionPolicy.current()
    return closed_expired(now, policy).exists() or stale_expired(now, policy).exists()


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
    quarter = measures.quarter_of(case.created_at)
    values = [(Dim.CASE, ""), (Dim.OUTCOME, outcome), (Dim.RISK, str(case.risk))]
    values += [(Dim.THREAT, t) for t in case.threats] + [(Dim.NEED, n) for n in case.needs]
    return [(quarter, case.region, dimension, value) for dimension, value in values]


def _add(model: type[models.Model], key: list[str], amounts: dict[tuple, dict[str, int]]) -> None:
    """Add amounts to counter rows, making missing ones, in the caller's transaction.

    One INSERT ... ON CONFLICT DO UPDATE per few hundred rows (PostgreSQL,
    and SQLite since 3.24): a read, a lock and a rewrite of every row would
    cost a third of the purge's time. The keys go in one order for every
    writer, so two purges at once never deadlock.
    """
    if not amounts:
        return
    columns = sorted({column for added in amounts.values() for column in added})
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [quote(model._meta.get_field(name).column) for name in [*key, *columns]]
    unique = ", ".join(names[: len(key)])
    update = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in names[len(key) :])
    rows = [[*values, *(amounts[values].get(c, 0) for c in columns)] for values in sorted(amounts)]
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        placeholders = ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * len(chunk))
        # Table and column names come from the model, quoted by the backend; values are parameters.
        sql = (
            f"INSERT INTO {table} ({', '.join(names)}) VALUES {placeholders} "  # noqa: S608  # nosec B608
            f"ON CONFLICT ({unique}) DO UPDATE SET {update}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in chunk for value in row])


def _add_counts(counts: Counter) -> None:
    """Add to the retired-case counters, in the caller's transaction."""
    _add(
        RetiredCaseCount,
        ["quarter", "region", "dimension", "value"],
        {key: {"count": n} for key, n in counts.items()},
    )


def _add_referral_and_milestone_counts(cases: list[Case]) -> None:
    """Keep what statistics show of these cases' referrals and time to safety: two reads."""
    quarters = {case.pk: measures.quarter_of(case.created_at) for case in cases}
    referrals: dict[tuple, Counter] = {}
    tally = measures.referral_tally(
        Referral.objects.filter(case__in=list(quarters)), "case_id", "service", "partner__kind"
    )
    for row in tally:
        key = (quarters[row["case_id"]], row["service"], row["partner__kind"])
        referrals.setdefault(key, Counter()).update(
            {name: row[name] for name in ("sent", "answered", "accepted")}
        )
    _add(RetiredReferralCount, ["quarter", "service", "partner_kind"], referrals)
    days: Counter = Counter()
    for row in measures.first_milestones(StatusChange.objects.filter(case__in=list(quarters))):
        elapsed = measures.days_between(row["case__created_at"], row["first"])
        days[(row["to_status"], quarters[row["case_id"]], elapsed)] += 1
    _add(
        RetiredMilestoneCount,
        ["milestone", "quarter", "days"],
        {key: {"count": n} for key, n in days.items()},
    )


def _add_route_counts(cases: list[Case]) -> None:
    """Keep what route statistics show of these cases' finished evacuations: one read."""
    used: dict[tuple, Counter] = {}
    days: Counter = Counter()
    plans = Plan.objects.filter(
        case__in=[case.pk for case in cases], template__isnull=False, status__in=FINISHED
    ).values_list("template_id", "status", "closed_at", "started_at", "arrived_at")
    for template, status, closed_at, started, arrived in plans:
        key = (template, measures.quarter_of(closed_at))
        arrived_one = status == PlanStatus.COMPLETED
        used.setdefault(key, Counter()).update({"used": 1, "arrived": int(arrived_one)})
        if arrived_one:
            days[(*key, plan_days(started or arrived, arrived))] += 1
    _add(RetiredRouteCount, ["template", "quarter"], used)
    _add(
        RetiredRouteDays,
        ["template", "quarter", "days"],
        {key: {"count": n} for key, n in days.items()},
    )


# Plain columns only: a purge must work even for a row it cannot decrypt.
PURGE_FIELDS = [
    "pk",
    "reference",
    "closure_reason",
    "created_at",
    "region",
    "risk",
    "threats",
    "needs",
]


def _merged_into(locked: list[Case]) -> list[Case]:
    """The duplicates merged into these cases, locked: they live as long as the case kept.

    Closed as duplicate only (a duplicate reopened stands alone again) and
    never one on legal hold, which stays until the hold is lifted.
    """
    pks = [case.pk for case in locked]
    return list(
        Case.objects.filter(
            status=Status.CLOSED,
            closure_reason=ClosureReason.DUPLICATE,
            legal_hold=False,
            reference__in=MergedReference.objects.filter(case__in=pks).values("reference"),
        )
        .exclude(pk__in=pks)
        .select_for_update()
        .only(*PURGE_FIELDS)
    )


def _purge(cases: QuerySet[Case], *, reason: str, by: User | None = None, why: str = "") -> int:
    """Delete these cases, the duplicates merged into them and everything hanging off
    them at once; keep only counts. Returns how many cases went."""
    with transaction.atomic():
        locked = list(cases.filter(legal_hold=False).select_for_update().only(*PURGE_FIELDS))
        if not locked:
            return 0
        merged = _merged_into(locked)
        # A duplicate was counted live as a request of its own whose outcome is
        # "duplicate" (stats/queries.py): it keeps that outcome, so the tables
        # read the same after the purge, and a forgotten person counts once
        # among the forgotten however many of their requests were merged.
        _add_counts(
            Counter(
                key
                for case in locked
                for key in _counter_keys(case, case.closure_reason if reason == CLOSED else reason)
            )
            + Counter(key for case in merged for key in _counter_keys(case, case.closure_reason))
        )
        locked += merged
        _add_referral_and_milestone_counts(locked)
        _add_route_counts(locked)
        release_reserved_places(referrals=Referral.objects.filter(case__in=locked))
        references = [case.reference for case in locked]
        # Their files lose their keys now, in this transaction; the store deletes
        # the objects once it commits (and the sweep job retries what it refused).
        files = release_for_cases([case.pk for case in locked])
        if files:
            transaction.on_commit(lambda: sweep(files), robust=True)
        # Primary keys only: Django's deletion would otherwise load (and so
        # decrypt) every column of every case, and a case nobody can decrypt
        # any more must still go. Rows hanging off it are loaded by key alone
        # too, as long as no model has a delete signal receiver.
        Case.objects.filter(pk__in=[case.pk for case in locked]).only("pk").delete()
        detail = {"reason": reason, "why": why} if why else {"reason": reason}
        record_many(
            Action.PURGE, actor=by, object_type="case", object_refs=references, detail=detail
        )
    # References and reason codes only: the log outlives the case.
    for reference in references:
        log.info("purged case %s (%s%s)", reference, reason, f": {why}" if why else "")
    return len(locked)


def case_purge(*, case_id: int, reason: str, by: User | None = None, why: str = "") -> int:
    """Delete one case, the duplicates merged into it and everything hanging off them;
    keep only counts. Returns how many cases went: 0 if skipped."""
    return _purge(Case.objects.filter(pk=case_id), reason=reason, by=by, why=why)


def purge_expired(
    *, now: datetime | None = None, limit: int | None = None, stop_at: float | None = None
) -> Counter:
    """Purge expired cases in batches; return counts by reason.

    `stop_at` (a time.monotonic() value) ends the purge after the batch that
    passes it, so a job can stop well inside its time limit and go on later.
    """
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
            if stop_at is not None and time.monotonic() >= stop_at:
                return +purged
    return +purged
