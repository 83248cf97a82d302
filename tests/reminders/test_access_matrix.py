"""Every persona against the reminder pages: case staff only, and a reminder is its user's."""

import pytest
from django.urls import reverse

from reminders.models import Kind, Notification
from tests.access import LOGIN as L
from tests.access import cells, check

# fmt: off
#                                        anon oper cw   coord outsdr partnr audit admin
MATRIX = {
    ("dashboard", "GET"):                  [L, 200, 200, 200, 200, 404, 404, 404],
    ("notification_list", "GET"):          [L, 200, 200, 200, 200, 404, 404, 404],
    # The caseworker's reminder on team A's case: only the caseworker marks it done.
    ("notification_done", "POST"):         [L, 404, 302, 404, 404, 404, 404, 404],
}
# fmt: on
# The URL names this matrix gives a row (tests/test_every_view_has_a_row.py).
COVERS = {f"reminders:{view}" for view, _ in MATRIX}


def snapshot():
    return list(Notification.objects.order_by("pk").values_list("done_at", flat=True))


@pytest.mark.parametrize(("view", "method", "role", "outcome"), cells(MATRIX))
def test_reminder_views(client, personas, case, view, method, role, outcome):
    notification = Notification.objects.create(
        user=personas["caseworker"], kind=Kind.FOLLOW_UP, key="matrix", case=case
    )
    if role != "anonymous":
        client.force_login(personas[role])
    before = snapshot()
    url = reverse(f"reminders:{view}")
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, {"notification": notification.pk})
    check(response, outcome, method=method, before=before, after=snapshot())
