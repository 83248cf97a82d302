"""Unusual access, found in the trail itself.

The checks that need a higher app's rows (an open referral) live in that app
and are registered here from its AppConfig.ready: audit sits below every app
it records and imports none of them (docs/architecture.md).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.db.models.functions import ExtractHour, TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import Action, AuditEvent


@dataclass(frozen=True)
class Alert:
    kind: str
    actor_id: int | None
    when: object
    detail: str


def many_cases_in_an_hour(since) -> list[Alert]:
    limit = settings.CORRIDOR_AUDIT["CASES_PER_HOUR"]
    rows = (
        AuditEvent.objects.filter(action=Action.VIEW, object_type="case", at__gte=since)
        .annotate(hour=TruncHour("at"))
        .values("actor_id", "hour")
        .annotate(cases=Count("object_ref", distinct=True))
        .filter(cases__gt=limit)
        .order_by("-hour")
    )
    return [
        Alert(
            "many_cases",
            r["actor_id"],
            r["hour"],
            ngettext("opened %(n)d case in an hour", "opened %(n)d cases in an hour", r["cases"])
            % {"n": r["cases"]},
        )
        for r in rows
    ]


def unusual_hours(since) -> list[Alert]:
    """Staff activity in the quiet hours (local time): a seized phone or laptop at work."""
    start, end = settings.CORRIDOR_AUDIT["QUIET_HOURS"]
    rows = (
        AuditEvent.objects.filter(at__gte=since, actor__isnull=False)
        .annotate(h=ExtractHour("at", tzinfo=timezone.get_current_timezone()))
        .filter(Q(h__gte=start) | Q(h__lt=end) if start > end else Q(h__gte=start, h__lt=end))
        .values("actor_id")
        .annotate(n=Count("id"), last=Max("at"))
        .order_by("-last")
    )
    return [
        Alert(
            "unusual_hours",
            r["actor_id"],
            r["last"],
            ngettext("%(n)d action at night", "%(n)d actions at night", r["n"]) % {"n": r["n"]},
        )
        for r in rows
    ]


def duress_sign_ins(since) -> list[Alert]:
    """Every duress sign-in: the coordinators are alerted on their dashboards, admins here."""
    rows = AuditEvent.objects.filter(action=Action.DURESS, at__gte=since).order_by("-at")
    detail = _("signed in with the duress password: they may be under force")
    return [
        Alert("duress", actor_id, at, detail) for actor_id, at in rows.values_list("actor_id", "at")
    ]


Check = Callable[[datetime], list[Alert]]
_checks: list[Check] = []


def register(check: Check) -> None:
    """Add a check of a higher app, run after the trail's own (referrals/apps.py)."""
    if check not in _checks:
        _checks.append(check)


def current_alerts(days: int = 7) -> list[Alert]:
    since = timezone.now() - timedelta(days=days)
    alerts = duress_sign_ins(since) + many_cases_in_an_hour(since) + unusual_hours(since)
    for check in _checks:
        alerts += check(since)
    return alerts
