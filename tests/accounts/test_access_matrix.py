"""Every persona against the team page and the emergency revoke of a team A member."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.access import LOGIN as L
from tests.access import cells, check

# fmt: off
#                            anon oper cw   coord outsdr partnr audit admin
MATRIX = {
    ("team", "GET"):           [L, 404, 404, 200, 200, 404, 404, 404],
    # Revoking team A's operator: its team's coordinators, and admins (anyone's).
    ("revoke", "POST"):        [L, 404, 404, 302, 404, 404, 404, 302],
}
# fmt: on
# The URL names this matrix gives a row (tests/test_every_view_has_a_row.py).
COVERS = {view for view, _ in MATRIX}


def snapshot():
    return list(User.objects.order_by("pk").values_list("username", "is_active"))


@pytest.mark.parametrize(("view", "method", "role", "outcome"), cells(MATRIX))
def test_account_views(client, personas, view, method, role, outcome):
    target = personas["caseworker"] if role == "operator" else personas["operator"]
    if role != "anonymous":
        client.force_login(personas[role])
    before = snapshot()
    url = reverse(view)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, {"user": target.pk})
    check(response, outcome, method=method, before=before, after=snapshot())
