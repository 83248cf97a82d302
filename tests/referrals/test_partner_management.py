from django.urls import reverse

from accounts.models import Role, User
from referrals.models import Partner, PartnerStaff

DATA = {
    "name": "Legal Aid South",
    "kind": "legal",
    "services": ["legal", "documents"],
    "regions": ["dagestan", "ingushetia"],
    "countries": ["RU", "GE"],
    "languages": ["ru"],
    "capacity": "",
    "ack_deadline_hours": "48",
    "contact_details": "Lawyer on duty: Signal",
    "active": "on",
}


def with_team(user):
    return {**DATA, "team": user.teams.first().pk}


def test_a_coordinator_adds_a_partner_and_its_staff(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("referrals:partner_create"), with_team(coordinator))
    partner = Partner.objects.get()
    assert response["Location"] == reverse("referrals:partner_edit", args=[partner.reference])
    assert (partner.services, partner.countries, partner.capacity) == (
        ["documents", "legal"],
        ["GE", "RU"],
        None,
    )
    response = client.post(
        reverse("referrals:partner_staff_add", args=[partner.reference]),
        {"username": "lawyer.one", "password": "a long passphrase for the lawyer"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="lawyer.one")
    assert (user.role, user.partner_staff.partner) == (Role.PARTNER, partner)
    assert user.check_password("a long passphrase for the lawyer")


def test_a_weak_passphrase_or_taken_name_is_refused(client, coordinator, partner_org, caseworker):
    client.force_login(coordinator)
    url = reverse("referrals:partner_staff_add", args=[partner_org.reference])
    assert client.post(url, {"username": "x", "password": "short"}).status_code == 400
    assert (
        client.post(
            url, {"username": "CASEWORKER", "password": "a long passphrase for the lawyer"}
        ).status_code
        == 400
    )
    assert not PartnerStaff.objects.exists()


def test_a_coordinator_ends_a_staff_members_access_at_once(
    client, coordinator, partner, partner_org
):
    client.force_login(coordinator)
    url = reverse("referrals:partner_staff_deactivate", args=[partner_org.reference])
    assert client.post(url, {"user": partner.pk}).status_code == 302
    partner.refresh_from_db()
    assert not partner.is_active


def test_only_staff_of_that_partner_can_be_ended_there(
    client, coordinator, caseworker, partner_org
):
    client.force_login(coordinator)
    url = reverse("referrals:partner_staff_deactivate", args=[partner_org.reference])
    for value in (caseworker.pk, "abc", "", "1 OR 1=1"):
        assert client.post(url, {"user": value}).status_code == 404
    caseworker.refresh_from_db()
    assert caseworker.is_active


def test_deadline_must_be_sensible(client, coordinator):
    client.force_login(coordinator)
    for hours in ("0", "-1", "100000", "abc"):
        response = client.post(
            reverse("referrals:partner_create"), {**DATA, "ack_deadline_hours": hours}
        )
        assert response.status_code == 400
    assert not Partner.objects.exists()


def test_contact_details_are_not_on_the_list(client, coordinator, partner_org):
    client.force_login(coordinator)
    content = client.get(reverse("referrals:partner_list")).content
    assert partner_org.name.encode() in content
    assert partner_org.contact_details.encode() not in content


def test_another_teams_coordinator_cannot_mint_staff_or_edit(client, outsider, partner_org):
    client.force_login(outsider)
    url = reverse("referrals:partner_staff_add", args=[partner_org.reference])
    response = client.post(url, {"username": "mole", "password": "a long passphrase for the mole"})
    assert response.status_code == 404
    assert not User.objects.filter(username="mole").exists()
    assert partner_org.name.encode() not in client.get(reverse("referrals:partner_list")).content


def test_a_stale_form_cannot_hand_out_a_taken_place(client, coordinator, partner_org):
    Partner.objects.filter(pk=partner_org.pk).update(capacity=1)
    client.force_login(coordinator)
    url = reverse("referrals:partner_edit", args=[partner_org.reference])
    form = client.get(url).context["form"]
    seen = form["capacity_seen"].value()
    Partner.objects.filter(pk=partner_org.pk).update(capacity=0)  # accepted meanwhile
    data = {
        **with_team(coordinator),
        "name": partner_org.name,
        "capacity": "1",
        "capacity_seen": seen,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert b"Free places changed to 0 meanwhile" in response.content
    assert Partner.objects.get(pk=partner_org.pk).capacity == 0
