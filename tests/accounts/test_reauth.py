"""Forgetting a person and sharing a contact handle need a freshly confirmed password."""

from django.urls import reverse

from intake.models import Case
from referrals.models import Referral
from tests.factories import PASSWORD, ReferralFactory


def stale(client):
    session = client.session
    session["auth_at"] = 0
    session.save()


def test_forgetting_asks_for_the_password_again(client, coordinator, case):
    client.force_login(coordinator)
    stale(client)
    url = reverse("retention:case_forget", args=[case.reference])
    response = client.get(url)
    assert response["Location"] == f"{reverse('reauth')}?next={url.replace('/', '%2F')}"
    page = client.post(response["Location"], {"password": "not my password"})
    assert page.status_code == 400
    back = client.post(response["Location"], {"password": PASSWORD})
    assert back["Location"] == url
    assert client.get(url).status_code == 200
    client.post(url, {"reason": "person_asked", "confirm": case.reference})
    assert not Case.objects.filter(pk=case.pk).exists()


def test_a_stale_session_cannot_purge_by_posting_directly(client, coordinator, case):
    client.force_login(coordinator)
    stale(client)
    url = reverse("retention:case_forget", args=[case.reference])
    response = client.post(url, {"reason": "person_asked", "confirm": case.reference})
    assert response["Location"].startswith(reverse("reauth"))
    assert Case.objects.filter(pk=case.pk).exists()


def test_approving_a_shared_handle_asks_for_the_password_again(client, coordinator, case):
    referral = ReferralFactory(case=case, shared_fields=["contact_handle"])
    client.force_login(coordinator)
    stale(client)
    url = reverse("referrals:referral_approve", args=[referral.reference])
    response = client.post(url, {"shared": "contact_handle"})
    assert response["Location"].startswith(reverse("reauth"))
    assert Referral.objects.get(pk=referral.pk).approved_at is None


def test_the_next_address_must_stay_on_this_site(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        f"{reverse('reauth')}?next=https://evil.example/", {"password": PASSWORD}
    )
    assert response["Location"] == "/"
