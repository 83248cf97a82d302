"""Every role against every referral and partner view; partners see only their own."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from referrals.models import Partner, PartnerStaff, Referral
from referrals.services import referral_move
from tests.access import F302, cells, check
from tests.access import LOGIN as L
from tests.factories import ReferralFactory, UserFactory

# fmt: off
#                                      anon oper  cw   coord outsdr partnr audit admin
MATRIX = {
    ("route", "GET", "case"):            [L, 403, 200, 200, 404, 404, 404, 404],
    ("referral_create", "GET", "case"):  [L, 403, 200, 200, 404, 404, 404, 404],
    ("referral_create", "POST", "case"): [L, 403, 302, 302, 404, 404, 404, 404],
    ("referral_detail", "GET", "sent"):  [L, 200, 200, 200, 404, 404, 404, 404],
    ("referral_edit", "GET", "draft"):   [L, 403, 200, 200, 404, 404, 404, 404],
    ("referral_edit", "POST", "draft"):  [L, 403, 302, 302, 404, 404, 404, 404],
    ("referral_approve", "POST", "handle"): [L, 403, 403, 302, 404, 404, 404, 404],
    ("referral_send", "POST", "draft"):  [L, 403, 302, 302, 404, 404, 404, 404],
    ("referral_withdraw", "POST", "sent"): [L, 403, 302, 302, 404, 404, 404, 404],
    ("open_referrals", "GET", None):     [L, 403, 403, 200, 200, 404, 404, 404],
    ("partner_list", "GET", None):       [L, 403, 403, 200, 200, 404, 404, 404],
    ("partner_create", "GET", None):     [L, 403, 403, 200, 200, 404, 404, 404],
    # A shielded session is answered as if the partner were saved; nothing is.
    ("partner_create", "POST", None):    [L, 403, 403, 302, 302, 404, 404, 404, F302, F302],
    ("partner_edit", "GET", "org"):      [L, 403, 403, 200, 404, 404, 404, 404],
    ("partner_edit", "POST", "org"):     [L, 403, 403, 302, 404, 404, 404, 404],
    ("partner_staff_add", "POST", "org"): [L, 403, 403, 302, 404, 404, 404, 404],
    ("partner_staff_deactivate", "POST", "org"): [L, 403, 403, 302, 404, 404, 404, 404],
    ("partner_inbox", "GET", None):      [L, 404, 404, 404, 404, 200, 404, 404],
    ("partner_detail", "GET", "sent"):   [L, 404, 404, 404, 404, 200, 404, 404],
    ("partner_act", "POST", "sent"):     [L, 404, 404, 404, 404, 302, 404, 404],
}
# fmt: on
# The URL names this matrix gives a row (tests/test_every_view_has_a_row.py).
COVERS = {f"referrals:{view}" for view, *_ in MATRIX}


PARTNER_DATA = {
    "name": "New Shelter",
    "kind": "shelter",
    "services": ["shelter"],
    "regions": ["dagestan"],
    "countries": ["RU"],
    "languages": ["ru"],
    "capacity": "3",
    "ack_deadline_hours": "12",
    "contact_details": "",
    "active": "on",
}
REFERRAL_DATA = {
    "summary": "Needs a bed tonight.",
    "shared_fields": ["alias", "needs"],
    "consent_given": "on",
    "consent_at": "2026-01-01T10:00",
    "consent_channel": "phone",
}


def setup(target, case, partner_org, personas):
    """Return (url args, query, post data) for a view's target object."""
    if target == "case":
        return [case.reference]
    if target == "org":
        return [partner_org.reference]
    if target in ("draft", "handle", "sent"):
        referral = ReferralFactory(
            case=case,
            partner=partner_org,
            shared_fields=["alias", "contact_handle"] if target == "handle" else ["alias"],
        )
        if target == "sent":
            referral_move(referral=referral, to="sent", by=personas["caseworker"])
        return [referral.reference]
    return []


def data_for(view, partner_org, user):
    staff = PartnerStaff.objects.filter(partner=partner_org).first()
    team = user.teams.first() if user and user.is_authenticated else None
    own = {**PARTNER_DATA, "team": team.pk if team else ""}
    return {
        "referral_create": REFERRAL_DATA,
        "referral_edit": {**REFERRAL_DATA, "summary": "Changed."},
        "referral_approve": {"shared": "alias,contact_handle"},
        "partner_create": own,
        "partner_edit": {**own, "name": "Renamed Shelter", "capacity_seen": ""},
        "partner_staff_add": {
            "username": "shelter.staff",
            "password": "a long passphrase for shelter staff",
        },
        "partner_staff_deactivate": {"user": staff.user.pk if staff else ""},
    }.get(view, {})


def snapshot():
    return (
        list(Referral.objects.order_by("pk").values_list("status", "summary", "approved_at")),
        list(Partner.objects.order_by("pk").values_list("name", "capacity", "active")),
        list(User.objects.order_by("pk").values_list("username", "is_active")),
    )


@pytest.mark.parametrize(("view", "method", "target", "role", "outcome"), cells(MATRIX))
def test_referral_views(client, personas, case, partner_org, view, method, target, role, outcome):
    args = setup(target, case, partner_org, personas)
    if role != "anonymous":
        client.force_login(personas[role])
    if view == "partner_act":
        args = [*args, "acknowledge"]
    url = reverse(f"referrals:{view}", args=args)
    if view in ("route", "referral_create"):
        url += f"?service=shelter&partner={partner_org.reference}"
    before = snapshot()
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data_for(view, partner_org, personas.get(role)))
    check(response, outcome, method=method, before=before, after=snapshot())


@pytest.fixture
def other_partner(other_partner_org):
    user = UserFactory(username="other.partner", role=Role.PARTNER)
    PartnerStaff.objects.create(user=user, partner=other_partner_org)
    return user


def test_another_partner_gets_404_for_every_partner_view(client, case, partner_org, other_partner):
    referral = ReferralFactory(case=case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=None)
    client.force_login(other_partner)
    assert referral.reference.encode() not in client.get(reverse("referrals:partner_inbox")).content
    assert (
        client.get(reverse("referrals:partner_detail", args=[referral.reference])).status_code
        == 404
    )
    for action in ("acknowledge", "accept", "decline", "complete"):
        url = reverse("referrals:partner_act", args=[referral.reference, action])
        assert client.post(url, {"note": "x"}).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_a_partner_does_not_see_drafts(client, partner, case, partner_org):
    referral = ReferralFactory(case=case, partner=partner_org)
    client.force_login(partner)
    assert (
        client.get(reverse("referrals:partner_detail", args=[referral.reference])).status_code
        == 404
    )


def test_a_partner_of_an_inactive_organisation_sees_nothing(client, partner, case, partner_org):
    referral = ReferralFactory(case=case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=None)
    Partner.objects.filter(pk=partner_org.pk).update(active=False)
    client.force_login(partner)
    assert client.get(reverse("referrals:partner_inbox")).status_code == 404
    assert (
        client.get(reverse("referrals:partner_detail", args=[referral.reference])).status_code
        == 404
    )


def test_a_partner_gets_404_for_every_case_view(client, partner, case, partner_org):
    referral_move(referral=ReferralFactory(case=case, partner=partner_org), to="sent", by=None)
    client.force_login(partner)
    for name in ("case_detail", "case_edit"):
        assert client.get(reverse(f"intake:{name}", args=[case.reference])).status_code == 404
    assert client.get(reverse("intake:case_list")).status_code == 404


def test_an_unknown_partner_action_is_404(client, partner, case, partner_org):
    referral = ReferralFactory(case=case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=None)
    client.force_login(partner)
    url = reverse("referrals:partner_act", args=[referral.reference, "delete"])
    assert client.post(url).status_code == 404


def test_partner_data_is_invisible_to_a_referral_from_another_team(
    client, outsider, case, partner_org
):
    referral = ReferralFactory(case=case, partner=partner_org)
    client.force_login(outsider)
    assert (
        client.get(reverse("referrals:referral_detail", args=[referral.reference])).status_code
        == 404
    )
    assert (
        referral.reference.encode() not in client.get(reverse("referrals:open_referrals")).content
    )
