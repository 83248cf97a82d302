"""With an innocuous SITE_TITLE, nothing a person or a device is shown, sent or keeps
says "Corridor": pages, error pages, the admin, e-mail, headers, cookies, static
files and the authenticator's entry. A seized phone or mailbox must not name the
service."""

import base64
import os
import re
import subprocess
import sys
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import timezone
from django_otp.oath import TOTP

from accounts import two_factor
from core.http import SCRIPTED_SUBMIT_HEADER
from evacuations import services as evacuations
from evacuations.models import LegKind, RouteTemplate
from intake.status import Status
from referrals.services import referral_move
from reminders.models import Kind, Notification
from reminders.services import send_digests
from tests.config.test_headers_on_every_url import walk
from tests.conftest import ROLES
from tests.factories import PASSWORD, ReferralFactory

TITLE = "Garden club"
NAME = re.compile("corridor", re.IGNORECASE)
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@pytest.fixture(autouse=True)
def innocuous_title(settings):
    # What SITE_TITLE="Garden club" in the environment sets (config/settings.py);
    # test_one_variable_names_the_site_everywhere checks that wiring itself.
    settings.SITE_TITLE = settings.OTP_TOTP_ISSUER = TITLE


@pytest.fixture
def world(personas, case, partner_org):
    """One of everything a page can show, so object pages render instead of 404."""
    caseworker = personas["caseworker"]
    case.move_to(Status.VERIFYING, by=caseworker)
    case.move_to(Status.ACTIVE, by=caseworker)
    referral = ReferralFactory(case=case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=caseworker)
    plan = evacuations.plan_open(
        case=case, data={"destination_country": "GE", "destination_city": "Tbilisi"}, by=caseworker
    )
    today = timezone.localdate()
    leg = evacuations.leg_add(
        plan=plan,
        data={
            "kind": LegKind.TRAVEL,
            "partner_kind": "",
            "referral": None,
            "planned_start": today,
            "planned_end": today + timedelta(days=2),
            "details": "",
            "partner_details": "",
        },
        by=caseworker,
    )
    route = RouteTemplate.objects.create(
        name="Chechnya to Georgia", origin_region="chechnya", destination_country="GE"
    )
    for user in personas.values():
        Notification.objects.create(user=user, kind=Kind.FOLLOW_UP, key="k", case=case)
    return {
        "reference": case.reference,
        "partner": partner_org.reference,
        "referral": referral.reference,
        "plan": plan.reference,
        "leg": leg.key,
        "route": route.reference,
        "str": "acknowledge",
        "path": "x",
    }


class Leaks:
    """Every place the name turns up, each distinct one reported once with where first."""

    def __init__(self):
        self.found: dict[str, str] = {}

    def check(self, where: str, text: str) -> None:
        for match in NAME.finditer(text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.end())
            line = text[line_start : line_end if line_end != -1 else None].strip()[:160]
            self.found.setdefault(line, where)

    def response(self, where: str, response) -> str:
        """Check the headers, the cookies and a text body; return the text body."""
        for name, value in response.headers.items():
            self.check(f"{where} (header)", f"{name}: {value}")
        for name, morsel in response.cookies.items():
            self.check(f"{where} (cookie)", f"{name}={morsel.OutputString()}")
        kind = response.get("Content-Type", "")
        if getattr(response, "streaming", False) or not kind.startswith(("text/", "application/")):
            return ""
        body = response.content.decode()
        self.check(where, body)
        return body

    def static(self, urls: set[str]) -> None:
        """A file's path is in the browser's history and cache, its text in the cache."""
        assert urls, "no page referenced a static file"
        for url in sorted(urls):
            self.check("a static URL", url)
            found = finders.find(url.removeprefix("/static/").split("?")[0])
            assert found, url
            with open(found, encoding="utf-8") as file:
                self.check(url, file.read())

    def assert_none(self) -> None:
        assert not self.found, "the service is named:\n" + "\n".join(
            f"  {where}: {line}" for line, where in self.found.items()
        )


@pytest.fixture
def leaks():
    return Leaks()


def titled(body: str) -> bool:
    """Whether a page with a title names the site by SITE_TITLE there (True without one)."""
    title = re.search(r"<title>(.*?)</title>", body, re.DOTALL)
    return title is None or TITLE in title.group(1)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_a_persona_can_get_names_the_service(client, personas, world, leaks, role):
    if role != "anonymous":
        client.force_login(personas[role])
    # An error is a page too; the header test (tests/config) is the one that refuses them.
    client.raise_request_exception = False
    statics, untitled, shown, failed = set(), [], 0, []
    for url in sorted(set(walk(get_resolver().url_patterns, samples=world))):
        response = client.get(url)
        body = leaks.response(url, response)
        statics |= set(STATIC.findall(body))
        if not titled(body):
            untitled.append(url)
        shown += "<title>" in body
        if response.status_code == 500:
            failed.append(url)
    assert not failed, failed
    leaks.static(statics)
    leaks.assert_none()
    assert shown and not untitled, f"no {TITLE} in the title of {untitled}"


def test_the_admin_pages_of_real_objects_name_only_the_site_title(client, admin_user, world, leaks):
    client.force_login(admin_user)
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        obj = model._default_manager.first()
        meta = model._meta
        for view in ("change", "history", "delete", "config") if obj else ():
            try:
                urls.append(
                    reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])
                )
            except NoReverseMatch:
                pass
    headed = []
    for url in urls:
        response = client.get(url)
        body = leaks.response(url, response)
        if response.status_code == 200 and "<title>" in body:
            headed.append(titled(body) and f'<a href="/admin/">{TITLE}</a>' in body)
    leaks.assert_none()
    assert len(headed) > 5 and all(headed), headed


def test_the_error_pages_name_only_the_site_title(client, caseworker, world, leaks):
    client.force_login(caseworker)
    request = RequestFactory().get("/")
    request.user, request.session = caseworker, client.session
    handler = get_resolver().resolve_error_handler
    pages = {
        "400": (client.get("/", HTTP_HOST="not-this-site.example"), 400),
        "403": (handler(403)(request, PermissionDenied()), 403),
        "404": (client.get("/cases/AAAA-AAAA-AAAA/"), 404),
    }
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        pages["500"] = (handler(500)(request), 500)
    try:
        raise OperationalError("database is down")
    except OperationalError:
        pages["503"] = (handler(500)(request), 503)
    # Plain answers, not pages: they need not name the site, only not misname it.
    plain = {
        "null byte": (client.get("/cases/?q=%00"), 400),
        "csrf": (Client(enforce_csrf_checks=True).post("/login/", {"username": "x"}), 403),
    }
    unnamed = []
    for name, (response, status) in (pages | plain).items():
        assert response.status_code == status, name
        body = leaks.response(f"the {name} page", response)
        if name in pages and not (TITLE in body and titled(body)):
            unnamed.append(name)
    leaks.assert_none()
    assert not unnamed, f"no {TITLE} on the {unnamed} pages"


def test_a_scripted_submit_is_answered_in_neutral_headers(client, caseworker, world, leaks):
    leaks.check("the scripted-submit header", SCRIPTED_SUBMIT_HEADER)
    client.force_login(caseworker)
    response = client.post(
        reverse("intake:note_add", args=[world["reference"]]),
        {"body": "Heard from her."},
        headers={SCRIPTED_SUBMIT_HEADER: "1"},
    )
    assert response.status_code == 204
    leaks.response("a scripted submit", response)
    leaks.assert_none()


def test_enrolment_names_only_the_site_title(caseworker, monkeypatch, leaks):
    encoded = []
    original = two_factor.write_qrcode_image
    monkeypatch.setattr(
        two_factor,
        "write_qrcode_image",
        lambda data, out: (encoded.append(data), original(data, out))[1],
    )
    client = Client()
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 200
    body = leaks.response("enrolment", response)
    (link,) = re.findall(r'href="(otpauth://[^"]+)"', body)
    (qr,) = encoded  # what the QR code says
    svg = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', body).group(1)
    leaks.check("the QR image", base64.b64decode(svg).decode())
    device = two_factor.pending_totp(caseworker)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    codes = leaks.response(
        "recovery codes", client.post(reverse("two_factor_setup"), {"token": f"{code:06d}"})
    )
    leaks.assert_none()
    assert titled(body) and titled(codes) and "<title>" in codes
    for uri in (link.replace("&amp;", "&"), qr):
        # An app lists the entry by its label, "issuer:account", and shows the issuer.
        parts = urlsplit(uri)
        assert unquote(parts.path) == f"/{TITLE}:caseworker", uri
        assert parse_qs(parts.query)["issuer"] == [TITLE], uri


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_reminder_email_names_only_the_site_title(coordinator, case, leaks, language):
    coordinator.email, coordinator.language = "co@example.org", language
    coordinator.save()
    Notification.objects.create(user=coordinator, kind=Kind.FOLLOW_UP, key="k1", case=case)
    Notification.objects.create(user=coordinator, kind=Kind.FOLLOW_UP, key="k2", case=case)
    assert send_digests() == 1
    (message,) = mail.outbox
    leaks.check("the subject", message.subject)
    leaks.check("the body", message.body)
    for name, value in message.message().items():
        if name != "Message-ID":  # the server's host name: whoever deploys it chooses it
            leaks.check("the headers", f"{name}: {value}")
    leaks.assert_none()
    assert TITLE in message.subject and TITLE in message.body


def test_one_variable_names_the_site_everywhere():
    """SITE_TITLE in the environment reaches the authenticator entry and the admin."""
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.contrib import admin; import config.urls; "
        "print(settings.OTP_TOTP_ISSUER, admin.site.site_header, admin.site.site_title, "
        "settings.DEFAULT_FROM_EMAIL, sep='|')"
    )
    env = {k: v for k, v in os.environ.items() if k != "DEFAULT_FROM_EMAIL"}
    env |= {"SITE_TITLE": TITLE, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    issuer, header, title, sender = result.stdout.strip().split("|")
    assert issuer == header == title == TITLE
    assert not NAME.search(sender), sender
