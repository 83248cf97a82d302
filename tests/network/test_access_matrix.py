"""Every role against every network view, on a case of team A: denied by default."""

import pytest
from django.urls import reverse

from intake.models import Case, MergedReference
from network.models import CaseLink, Cause, Exposure
from tests.access import LOGIN, cells, check
from tests.network.conftest import make_link

L = LOGIN

# fmt: off
#                                 anon  oper cw   coord outsider partner auditor admin
CASE_VIEWS = {
    ("link_add", "POST"):         [L, 403, 302, 302, 404, 404, 404, 404],
    ("link_remove", "POST"):      [L, 403, 302, 302, 404, 404, 404, 404],
    ("case_merge", "GET"):        [L, 403, 403, 200, 404, 404, 404, 404],
    ("case_merge", "POST"):       [L, 403, 403, 302, 404, 404, 404, 404],
    ("compromised_mark", "POST"): [L, 403, 302, 302, 404, 404, 404, 404],
    ("exposure_handle", "POST"):  [L, 403, 302, 302, 404, 404, 404, 404],
}
# fmt: on
COVERS = {f"network:{view}" for view, _ in CASE_VIEWS}


def snapshot(case):
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.device_compromised_at,
        CaseLink.objects.count(),
        Exposure.objects.open().count(),
        Exposure.objects.count(),
        MergedReference.objects.count(),
        fresh.notes.count(),
    )


def setup(view, case, other):
    """What each view needs to find, and the form it is sent."""
    if view == "link_add":
        return {"reference": other.reference, "kind": "family"}
    if view == "link_remove":
        return {"link": make_link(case, other).pk}
    if view == "case_merge":
        return {"into": other.reference, "confirm": "on"}
    if view == "compromised_mark":
        return {"contacts": other.contact_handle}
    if view == "exposure_handle":
        exposure = Exposure.objects.create(case=case, source=other, cause=Cause.LINKED)
        return {"exposure": exposure.pk, "how": "checked_in"}
    raise AssertionError(view)


@pytest.mark.parametrize(("view", "method", "role", "outcome"), cells(CASE_VIEWS))
def test_case_views(client, personas, case, other, view, method, role, outcome):
    if role != "anonymous":
        client.force_login(personas[role])
    data = setup(view, case, other)
    before = snapshot(case)
    url = reverse(f"network:{view}", args=[case.reference])
    response = client.get(url) if method == "GET" else client.post(url, data)
    check(response, outcome, method=method, before=before, after=snapshot(case))
