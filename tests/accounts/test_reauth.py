"""Forgetting a person and sharing a contact handle need a freshly confirmed password."""

import re
from urllib.parse import urlencode

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


def form_next(page) -> str:
    """The `next` a form on this page carries (the first one, in page order)."""
    match = re.search(r'name="next" value="([^"]*)"', page.content.decode())
    assert match, "the form names the page it is on"
    return match.group(1)


def test_after_confirming_an_approval_the_coordinator_is_back_on_the_referral(
    client, coordinator, case
):
    referral = ReferralFactory(case=case, shared_fields=["contact_handle"])
    client.force_login(coordinator)
    stale(client)
    detail = reverse("referrals:referral_detail", args=[referral.reference])
    page = client.get(detail)
    approve = reverse("referrals:referral_approve", args=[referral.reference])
    assert f'action="{approve}"' in page.content.decode()
    # No Referer, as under Referrer-Policy: no-referrer: the form says where it was.
    assert "HTTP_REFERER" not in client.defaults
    response = client.post(approve, {"shared": "contact_handle", "next": form_next(page)})
    assert response["Location"] == f"{reverse('reauth')}?{urlencode({'next': detail})}"
    back = client.post(response["Location"], {"password": PASSWORD})
    assert back["Location"] == detail
    assert Referral.objects.get(pk=referral.pk).approved_at is None  # not replayed


def test_after_confirming_a_new_authenticator_the_user_is_back_on_the_account_page(
    client, coordinator
):
    client.force_login(coordinator)
    stale(client)
    page = client.get(reverse("account"))
    response = client.post(reverse("two_factor_replace"), {"next": form_next(page)})
    assert response["Location"] == f"{reverse('reauth')}?{urlencode({'next': '/account/'})}"
    assert client.post(response["Location"], {"password": PASSWORD})["Location"] == "/account/"


def test_a_purge_posted_after_the_window_closed_returns_to_the_forget_page(
    client, coordinator, case
):
    client.force_login(coordinator)
    url = reverse("retention:case_forget", args=[case.reference])
    page = client.get(url)  # fresh: force_login counts as a sign-in
    stale(client)
    data = {"reason": "person_asked", "confirm": case.reference, "next": form_next(page)}
    response = client.post(url, data)
    assert client.post(response["Location"], {"password": PASSWORD})["Location"] == url
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_posted_next_must_stay_on_this_site(client, coordinator):
    client.force_login(coordinator)
    stale(client)
    response = client.post(reverse("two_factor_replace"), {"next": "//evil.example/"})
    assert response["Location"] == f"{reverse('reauth')}?next=%2F"
