"""Two-factor sign-in is required for every role: enrolment, codes, replay, recovery."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from accounts.models import Authenticator
from audit.models import AuditEvent
from tests.factories import PASSWORD


def code_for(device, at=None):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


def signed_in(username):
    client = Client()
    assert (
        client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code
        == 302
    )
    return client


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("operator", "/cases/"),
        ("caseworker", "/cases/"),
        ("coordinator", "/referrals/"),
        ("partner", "/partner/"),
        ("auditor", "/admin/audit/auditevent/"),
        ("admin", "/admin/"),
    ],
)
def test_every_role_must_set_up_a_second_factor_first(personas, role, page):
    client = signed_in(personas[role].username)
    assert client.get(page)["Location"] == reverse("two_factor_setup")


def test_enrolment_with_a_qr_code_and_recovery_codes(caseworker):
    client = signed_in("caseworker")
    page = client.get(reverse("two_factor_setup"))
    content = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in content  # drawn here, no outside service
    device_key = Authenticator.objects.get(user=caseworker, confirmed=False).bin_key
    import base64

    assert base64.b32encode(device_key).decode()[:4] in content
    assert "no-store" in page["Cache-Control"]
    device = Authenticator.objects.get(user=caseworker, confirmed=False)
    assert client.post(reverse("two_factor_setup"), {"token": "000000"}).status_code == 400
    # django-otp throttles after a failure (1 s, doubling); let that second pass.
    Authenticator.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    response = client.post(reverse("two_factor_setup"), {"token": code_for(device)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert client.get("/cases/").status_code == 200
    assert AuditEvent.objects.filter(action="two_factor", detail__event="enrolled").exists()


@pytest.fixture
def enrolled(caseworker):
    device = Authenticator.objects.create(user=caseworker, name="phone", confirmed=True)
    return device


def test_a_code_is_refused_when_replayed(caseworker, enrolled):
    first = signed_in("caseworker")
    assert first.get("/cases/")["Location"] == reverse("two_factor_verify")
    token = code_for(enrolled)
    assert first.post(reverse("two_factor_verify"), {"token": token})["Location"] == "/"
    assert first.get("/cases/").status_code == 200
    second = signed_in("caseworker")
    response = second.post(reverse("two_factor_verify"), {"token": token})
    assert response.status_code == 400
    assert b"was used already" in response.content
    assert second.get("/cases/")["Location"] == reverse("two_factor_verify")


def test_a_recovery_code_works_once(caseworker):
    client = signed_in("caseworker")
    device = Authenticator.objects.get_or_create(user=caseworker, confirmed=False)[0]
    codes = client.post(reverse("two_factor_setup"), {"token": code_for(device)}).context["codes"]
    for expected in (302, 400):
        other = signed_in("caseworker")
        response = other.post(reverse("two_factor_verify"), {"token": codes[0]})
        assert response.status_code == expected


@pytest.mark.parametrize("value", ["", "x" * 100, "<script>", "12345\x00", "١٢٣٤٥٦"])
def test_bad_codes_are_refused_cleanly(caseworker, enrolled, value):
    client = signed_in("caseworker")
    response = client.post(reverse("two_factor_verify"), {"token": value})
    assert response.status_code == 400
    assert client.get("/cases/")["Location"] == reverse("two_factor_verify")


def test_the_two_factor_pages_need_a_password_first(client, db):
    for name in ("two_factor_setup", "two_factor_verify"):
        assert client.get(reverse(name))["Location"].startswith(reverse("login"))


def test_replacing_the_authenticator_ends_other_sessions(caseworker, enrolled):
    from django_otp import devices_for_user

    from tests.conftest import pass_second_factor

    laptop, phone = signed_in("caseworker"), signed_in("caseworker")
    for client in (laptop, phone):
        pass_second_factor(client, caseworker)
        assert client.get("/cases/").status_code == 200
    response = laptop.post(reverse("two_factor_replace"))
    assert response["Location"] == reverse("two_factor_setup")
    assert list(devices_for_user(caseworker, confirmed=True)) == []
    assert phone.get("/cases/")["Location"].startswith(reverse("login"))
    assert laptop.get("/cases/")["Location"] == reverse("two_factor_setup")
    assert AuditEvent.objects.filter(detail__event="replaced").exists()


def test_replacing_needs_a_fresh_password(client, caseworker, enrolled):
    client.force_login(caseworker)
    session = client.session
    session["auth_at"] = 0
    session.save()
    response = client.post(reverse("two_factor_replace"))
    assert response["Location"].startswith(reverse("reauth"))
    assert Authenticator.objects.filter(pk=enrolled.pk).exists()


def test_a_password_change_keeps_this_session_and_ends_the_others(caseworker):
    from tests.conftest import pass_second_factor

    here, there = signed_in("caseworker"), signed_in("caseworker")
    for client in (here, there):
        pass_second_factor(client, caseworker)
    response = here.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new long passphrase",
            "new_password2": "a brand new long passphrase",
        },
    )
    assert response.status_code == 302
    assert here.get("/cases/").status_code == 200
    assert there.get("/cases/")["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "role", ["operator", "caseworker", "coordinator", "partner", "auditor", "admin"]
)
def test_everyone_has_an_account_page(client, personas, role):
    client.force_login(personas[role])
    assert client.get(reverse("account")).status_code == 200


def test_setup_on_a_phone_opens_the_authenticator_app_and_names_only_the_site_title(
    caseworker, settings
):
    settings.OTP_TOTP_ISSUER = "Garden Club"  # what an innocuous SITE_TITLE sets
    client = signed_in("caseworker")
    content = client.get(reverse("two_factor_setup")).content.decode()
    import base64
    import re

    key = base64.b32encode(Authenticator.objects.get(user=caseworker).bin_key).decode().rstrip("=")
    link = re.search(r'href="(otpauth://[^"]+)"', content).group(1)
    assert f"secret={key}" in link and "Garden%20Club" in link and "Corridor" not in link
    grouped = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    assert grouped in content
    assert f'data-copy="{key}"' in content


def test_the_navigation_is_hidden_until_setup_is_done(caseworker):
    client = signed_in("caseworker")
    content = client.get(reverse("two_factor_setup")).content.decode()
    assert reverse("intake:case_list") not in content
    assert reverse("logout") in content  # lock now stays
