"""Every persona against the team page, the emergency revoke of a team A member, and
restoring or waking one (accounts/coercion.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.access import LOGIN as L
from tests.access import cells, check

# fmt: off
#                            anon oper cw   coord outsdr partnr audit admin
MATRIX = {
    ("team", "GET"):           [L, 404, 404, 200, 200, 404, 404, 404],
    # Revoking team A's operator: its team's coordinators, and admins (anyone's).
    ("revoke", "POST"):        [L, 404, 404, 302, 404, 404, 404, 302],
    # Team A's operator signed in under duress: restored by the same people.
    ("restore", "POST"):       [L, 404, 404, 302, 404, 404, 404, 302],
    # Team A's operator travelling: waking early approved by the same people.
    ("wake_approve", "POST"):  [L, 404, 404, 302, 404, 404, 404, 302],
}
# fmt: on
# The URL names this matrix gives a row (tests/test_every_view_has_a_row.py).
COVERS = {view for view, _ in MATRIX}


def snapshot():
    columns = ("username", "is_active", "duress_at", "wake_approved_by")
    return list(User.objects.order_by("pk").values_list(*columns))


@pytest.mark.parametrize(("view", "method", "role", "outcome"), cells(MATRIX))
def test_account_views(client, personas, view, method, role, outcome):
    target = personas["caseworker"] if role == "operator" else personas["operator"]
    if view == "restore":
        User.objects.filter(pk=target.pk).update(duress_at=timezone.now())
    if view == "wake_approve":
        User.objects.filter(pk=target.pk).update(asleep_until=timezone.now() + timedelta(days=3))
    if role != "anonymous":
        client.force_login(personas[role])
    before = snapshot()
    url = reverse(view)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, {"user": target.pk})
    check(response, outcome, method=method, before=before, after=snapshot())
