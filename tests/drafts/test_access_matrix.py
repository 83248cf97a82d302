"""Every persona against the draft endpoints: a draft is written only where its form is."""

import pytest
from django.urls import reverse

from drafts.models import Draft
from tests.access import cells, check

L = "login"

# (form, scope), persona outcomes in tests/conftest.py ROLES order.
MATRIX = {
    # A new request: anyone with case pages; 404 for everyone else.
    ("request", "new"): [L, 200, 200, 200, 200, 404, 404, 404],
    # A note on team A's case: its team's case staff; the outsider gets 404,
    # the operator (who may not write notes) 403.
    ("note", "case"): [L, 403, 200, 200, 404, 404, 404, 404],
    # A form no app registered.
    ("nonsense", "case"): [L, 404, 404, 404, 404, 404, 404, 404],
}


def snapshot():
    return sorted(Draft.objects.values_list("author__username", "form", "scope"))


@pytest.mark.django_db
@pytest.mark.parametrize(("form", "scope", "role", "outcome"), cells(MATRIX))
def test_saving_a_draft(client, personas, case, form, scope, role, outcome):
    if role != "anonymous":
        client.force_login(personas[role])
    before = snapshot()
    data = {
        "_draft": form,
        "_draft_scope": "" if scope == "new" else case.reference,
        "body": "Marker-Heron wrote again",
        "narrative": "Marker-Heron wrote again",
    }
    response = client.post(reverse("drafts:save"), data)
    check(response, outcome, method="POST", before=before, after=snapshot())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["caseworker", "outsider", "partner", "auditor"])
def test_discarding_touches_only_ones_own_draft(client, personas, caseworker, case, role):
    Draft.objects.create(author=caseworker, form="note", scope=case.reference, data="{}")
    client.force_login(personas[role])
    client.post(reverse("drafts:discard"), {"_draft": "note", "_draft_scope": case.reference})
    assert Draft.objects.exists() == (role != "caseworker")
