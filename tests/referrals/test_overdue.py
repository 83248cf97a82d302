"""One rule, "a referral is overdue", and every place that shows or acts on it agrees.

README, "Reminders": a referral not acknowledged by the partner's deadline,
or accepted and not completed by its "complete by" date. The expected set is
written out from that sentence, not from the code; each caller is then asked
at the same instant, around the deadline boundary.
"""

import re
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from referrals.models import Referral
from referrals.selectors import open_referrals_for
from reminders import services as reminders
from reminders.dashboard import overdue_referrals
from reminders.models import Notification
from tests.factories import CaseFactory, ReferralFactory

TICK = timedelta(microseconds=1)
DAY = timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def referrals(team_a, partner_org, now):
    """Referrals on both sides of each deadline, by name."""
    case = CaseFactory(team=team_a, status="active")
    today = timezone.localdate(now)

    def make(status, **fields):
        sent_at = None if status == "draft" else now - 2 * DAY
        return ReferralFactory(
            case=case, partner=partner_org, status=status, sent_at=sent_at, **fields
        )

    return {
        "sent, deadline just passed": make("sent", ack_due_at=now - TICK),
        "sent, deadline is now": make("sent", ack_due_at=now),
        "sent, deadline ahead": make("sent", ack_due_at=now + TICK),
        "sent, no deadline": make("sent", ack_due_at=None),
        "acknowledged, deadline passed": make("acknowledged", ack_due_at=now - DAY),
        "accepted, complete by yesterday": make(
            "accepted", ack_due_at=now - DAY, complete_by=today - DAY
        ),
        "accepted, complete by today": make("accepted", ack_due_at=now - DAY, complete_by=today),
        "accepted, no date": make("accepted", ack_due_at=now - DAY, complete_by=None),
        "completed, date passed": make("completed", complete_by=today - DAY),
        "withdrawn, both passed": make("withdrawn", ack_due_at=now - DAY, complete_by=today - DAY),
        "draft, date passed": make("draft", complete_by=today - DAY),
    }


OVERDUE = {"sent, deadline just passed", "accepted, complete by yesterday"}


def names(referrals, rows) -> set[str]:
    by_pk = {r.pk: name for name, r in referrals.items()}
    return {by_pk[getattr(row, "pk", row)] for row in rows}


def test_the_queryset_and_the_property_say_the_same(db, referrals, now):
    assert names(referrals, Referral.objects.overdue(now)) == OVERDUE
    assert {n for n, r in referrals.items() if Referral.objects.get(pk=r.pk).overdue_at(now)} == (
        OVERDUE
    )
    assert names(referrals, Referral.objects.unacknowledged_late(now)) == {
        "sent, deadline just passed"
    }
    assert names(referrals, Referral.objects.uncompleted_late(now)) == {
        "accepted, complete by yesterday"
    }


def test_the_dashboard_the_scan_and_the_lists_agree(client, coordinator, referrals, now):
    client.force_login(coordinator)
    # Every caller that reads the clock reads this instant.
    with mock.patch("django.utils.timezone.now", return_value=now):
        dashboard = names(referrals, overdue_referrals(coordinator, now))
        dashboard_default = names(referrals, overdue_referrals(coordinator))
        listed = list(open_referrals_for(coordinator))
        badge = {n for n, r in referrals.items() if Referral.objects.get(pk=r.pk).is_overdue}
        page = client.get(reverse("referrals:open_referrals")).content.decode()
        reminders.scan(now)
    assert dashboard == dashboard_default == badge == OVERDUE
    # The open list sorts the overdue first and marks the same rows.
    first = listed[: len(OVERDUE)]
    assert names(referrals, first) == OVERDUE and {row.overdue for row in first} == {0}
    assert all(row.overdue == 1 for row in listed[len(OVERDUE) :])
    marked = re.findall(r'<tr class="overdue-row">.*?<code>([^<]+)</code>', page, re.S)
    assert {name for name, r in referrals.items() if r.reference in marked} == OVERDUE
    reminded = Notification.objects.filter(referral__isnull=False)
    assert names(referrals, reminded.values_list("referral_id", flat=True)) == OVERDUE


def test_the_reminder_keys_name_the_event_and_its_deadline(db, coordinator, referrals, now):
    late, slow = (
        referrals["sent, deadline just passed"],
        referrals["accepted, complete by yesterday"],
    )
    reminders.scan(now)
    keys = set(Notification.objects.filter(referral__isnull=False).values_list("kind", "key"))
    assert keys == {
        ("referral_unacknowledged", f"referral_ack:{late.pk}:{(now - TICK).isoformat()}"),
        ("referral_uncompleted", f"referral_done:{slow.pk}:{timezone.localdate(now) - DAY}"),
    }


# Lookups on a deadline that are not "overdue", each for its own reason.
OTHER_DEADLINE_RULES = {
    # A partner's response rate counts every referral whose deadline has passed.
    "referrals/routing.py": 1,
    # Expiry: sent or acknowledged, a grace period past the deadline.
    "referrals/services.py": 1,
}


def test_the_overdue_rule_is_written_only_in_the_referral_model():
    base = Path(settings.BASE_DIR)
    ours = [Path(c.path) for c in apps.get_app_configs() if Path(c.path).is_relative_to(base)]
    found = {}
    for path in (p for app in ours for p in app.rglob("*.py") if "migrations" not in p.parts):
        hits = re.findall(r"(?:ack_due_at|complete_by)__(?:lt|lte|gt|gte)\b", path.read_text())
        if hits:
            found[path.relative_to(base).as_posix()] = len(hits)
    assert found == OTHER_DEADLINE_RULES


def test_each_page_says_which_deadline_was_missed(client, caseworker, referrals):
    client.force_login(caseworker)
    late_ack = referrals["sent, deadline just passed"]
    late_done = referrals["accepted, complete by yesterday"]
    for referral, said, not_said in [
        (late_ack, "not acknowledged in time", "not completed in time"),
        (late_done, "not completed in time", "not acknowledged in time"),
    ]:
        page = client.get(reverse("referrals:referral_detail", args=[referral.reference]))
        assert page.status_code == 200
        text = page.content.decode()
        assert said in text and not_said not in text
