"""The reminders list, the dashboard's section and the bell show one set: `open_notifications`."""

import re

from django.urls import reverse
from django.utils import timezone

from intake.models import Case
from reminders.dashboard import open_notifications
from reminders.models import Kind, Notification
from tests.factories import CaseFactory


def reminder(user, case, name, **fields) -> Notification:
    return Notification.objects.create(
        user=user, kind=Kind.FOLLOW_UP, key=f"follow_up:{name}", case=case, **fields
    )


def shown(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="notification" value="(\d+)"', html)}


def test_every_view_of_the_reminders_shows_the_same_ones(
    client, team_a, team_b, caseworker, coordinator
):
    ours = CaseFactory(team=team_a)
    moved = CaseFactory(team=team_a)
    expected = {
        reminder(caseworker, ours, "own").pk,
        reminder(caseworker, None, "about no case").pk,
    }
    reminder(caseworker, ours, "done", done_at=timezone.now())
    reminder(caseworker, moved, "moved")
    reminder(coordinator, ours, "someone else's")
    # A reminder outlives a move to another team; the right to see the case does not.
    Case.objects.filter(pk=moved.pk).update(team=team_b)

    client.force_login(caseworker)
    listing = client.get(reverse("reminders:notification_list")).content.decode()
    dashboard = client.get(reverse("reminders:dashboard")).content.decode()
    assert {n.pk for n in open_notifications(caseworker)} == expected
    assert shown(listing) == expected
    assert shown(dashboard[dashboard.index('id="dash-reminders"') :]) == expected
    assert f'<span class="count due">{len(expected)}</span>' in listing
