"""Every persona against the draft endpoints: a draft is written only where its form is."""

import pytest
from django.urls import reverse

from drafts.models import Draft
from tests.access import F200, cells, check
from tests.factories import ReferralFactory

L = "login"

# (form, scope), persona outcomes in tests/conftest.py ROLES order.
MATRIX = {
    # A new request: anyone with case pages; 404 for everyone else.
    # A shielded session's draft is answered as saved, and kept nowhere.
    ("request", "new"): [L, 200, 200, 200, 200, 404, 404, 404, F200, F200],
    # A note on team A's case: its team's case staff; the outsider gets 404,
    # the operator (who may not write notes) 403.
    ("note", "case"): [L, 403, 200, 200, 404, 404, 404, 404],
    # A new referral's summary and a draft referral's, a new leg and a leg:
    # written by those who may write the case's referrals and plans.
    ("referral_new", "case:partner:shelter"): [L, 403, 200, 200, 404, 404, 404, 404],
    ("referral", "referral"): [L, 403, 200, 200, 404, 404, 404, 404],
    ("leg_new", "plan"): [L, 403, 200, 200, 404, 404, 404, 404],
    ("leg", "plan:leg"): [L, 403, 200, 200, 404, 404, 404, 404],
    # A form no app registered.
    ("nonsense", "case"): [L, 404, 404, 404, 404, 404, 404, 404],
}


def snapshot():
    return sorted(Draft.objects.values_list("author__username", "form", "scope"))


@pytest.fixture
def scopes(active_case, partner_org, plan, add_leg):
    referral = ReferralFactory(case=active_case, partner=partner_org)
    leg = add_leg()
    return {
        "new": "",
        "case": active_case.reference,
        "case:partner:shelter": f"{active_case.reference}:{partner_org.reference}:shelter",
        "referral": referral.reference,
        "plan": plan.reference,
        "plan:leg": f"{plan.reference}:{leg.key}",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("form", "scope", "role", "outcome"), cells(MATRIX))
def test_saving_a_draft(client, personas, scopes, form, scope, role, outcome):
    if role != "anonymous":
        client.force_login(personas[role])
    before = snapshot()
    text = "Marker-Heron wrote again"
    data = {
        "_draft": form,
        "_draft_scope": scopes[scope],
        **{name: text for name in ("body", "narrative", "summary", "details")},
    }
    response = client.post(reverse("drafts:save"), data)
    check(response, outcome, method="POST", before=before, after=snapshot())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["caseworker", "outsider", "partner", "auditor"])
def test_discarding_touches_only_ones_own_draft(client, personas, caseworker, case, role):
    Draft.objects.create(author=caseworker, form="note", scope=case.reference, data="{}")
    client.force_login(personas[role])
    response = client.post(
        reverse("drafts:discard"), {"_draft": "note", "_draft_scope": case.reference}
    )
    assert response.status_code == 302
    assert Draft.objects.exists() == (role != "caseworker")


# Discarding: each persona posts a discard of the caseworker's note draft; only
# its author's discard removes it (a draft is found by author, form and scope).
# A 302 either way: a discard of nothing says nothing about whose drafts exist.
DISCARD = {("note", "case"): [L, 302, 302, 302, 302, 302, 302, 302]}
# The URL names these matrices give a row (tests/test_every_view_has_a_row.py).
COVERS = {"drafts:save", "drafts:discard"}


@pytest.mark.django_db
@pytest.mark.parametrize(("form", "scope", "role", "outcome"), cells(DISCARD))
def test_discarding_a_draft(client, personas, scopes, form, scope, role, outcome):
    Draft.objects.create(author=personas["caseworker"], form=form, scope=scopes[scope], data="{}")
    if role != "anonymous":
        client.force_login(personas[role])
    response = client.post(
        reverse("drafts:discard"), {"_draft": form, "_draft_scope": scopes[scope]}
    )
    check(response, outcome)
    assert Draft.objects.filter(form=form).exists() == (role != "caseworker")
