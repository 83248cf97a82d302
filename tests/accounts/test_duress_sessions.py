"""Shielded sessions, through the real sign-in (password, then the code): a session under
duress or asleep finds nothing of the organisation on any page, and looks, from the
browser, exactly like a real session of the same account (issue 22)."""

import csv
import io
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import coercion
from accounts.models import Authenticator, Role, User
from audit.models import Action
from audit.services import record
from conversations.models import ReplyTemplate
from drafts.models import Draft
from evacuations import services as evacuations
from evacuations.models import RouteTemplate
from intake.models import CheckIn
from intake.status import Status
from intake.transfers import case_transfer
from reminders.models import Kind, Notification
from tests.accounts.test_two_factor import code_for
from tests.evidence.conftest import add_file, open_referral
from tests.factories import (
    PASSWORD,
    CaseFactory,
    NoteFactory,
    PartnerFactory,
    TeamFactory,
    UserFactory,
)
from tests.stats import history

DURESS = "another long duress passphrase"

# One marker per thing of team A a page could show; none may reach a shielded session.
ALIAS, NARRATIVE, HANDLE = "ZQXALIAS", "ZQXNARRATIVE", "@zqxhandle"
NOTE, PARTNER, SUMMARY = "ZQXNOTEBODY", "ZQXPARTNER", "ZQXSUMMARY"
CITY, FILE_NOTE, DRAFT = "ZQXCITY", "ZQXFILENOTE", "ZQXDRAFTTEXT"
COLLEAGUE, TEMPLATE, ASKER = "zqxcolleague", "ZQXTEMPLATE", "zqxasker"
ROUTE = "ZQXROUTE"


# --- Signing in as a person does -------------------------------------------------------


def sign_in(user, password) -> tuple[Client, list]:
    """The password, then a fresh code from the account's authenticator: both responses."""
    client = Client()
    steps = [client.post(reverse("login"), {"username": user.username, "password": password})]
    assert steps[0].status_code == 302, steps[0].content[:500]
    device = Authenticator.objects.get(user=user, confirmed=True)
    # A code's time step is taken once per device: the next sign-in may reuse it.
    Authenticator.objects.filter(pk=device.pk).update(last_t=-1)
    steps.append(client.post(reverse("two_factor_verify"), {"token": code_for(device)}))
    assert steps[1].status_code == 302 and steps[1]["Location"] == reverse("home")
    return client, steps


def with_authenticator(user):
    # The name tests.conftest.pass_second_factor looks for: one device per account.
    Authenticator.objects.get_or_create(
        user=user, name="test authenticator", defaults={"confirmed": True}
    )
    return user


def shield(user, how: str) -> str:
    """Make `user` a duress or an asleep one; return the password to sign in with."""
    if how == "duress":
        coercion.duress_password_set(user=user, raw=DURESS, without_code=False)
        return DURESS
    user.asleep_until = timezone.now() + timedelta(days=3)
    user.save(update_fields=["asleep_until"])
    return PASSWORD


def routes(patterns, namespace="", prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


# Not a coordinator's page: the admin site (its own tests below), the person's portal,
# the load balancer's health check, and signing out (it would end the session).
NOT_STAFF_PAGES = ("admin:", "portal:")
SKIPPED = {"logout", "health"}


def pages_without_an_object() -> list[str]:
    """Every address of the site that needs no object, from the URL resolver itself."""
    found = []
    for name, route in routes(get_resolver().url_patterns):
        if "<" in route or name.startswith(NOT_STAFF_PAGES) or name in SKIPPED:
            continue
        found.append(reverse(name))
    return sorted(set(found))


# Pages that must answer 200 to a coordinator, shielded or not: the test must not pass
# by a page refusing or redirecting.
MUST_SHOW = [
    "/dashboard/",
    "/cases/",
    "/cases/new/",
    "/cases/transfers/",
    "/notifications/",
    "/referrals/",
    "/partners/",
    "/routes/",
    "/statistics/",
    "/statistics/regions.csv",
    "/team/",
    "/team/replies/",
    "/account/",
]


# --- Team A's work, with a marker in everything -----------------------------------------


@pytest.fixture
def world(team_a, team_b, coordinator):
    """Everything of team A a coordinator's pages can show, each piece with a marker, and
    where a real session of that coordinator finds each one."""
    me = with_authenticator(coordinator)
    colleague = UserFactory(username=COLLEAGUE, role=Role.CASEWORKER, teams=[team_a])
    case = CaseFactory(
        team=team_a,
        alias=ALIAS,
        narrative=NARRATIVE,
        contact_handle=HANDLE,
        assignee=colleague,
        risk=4,
        follow_up_on=timezone.localdate() - timedelta(days=2),
    )
    case.move_to(Status.VERIFYING, by=me)
    case.move_to(Status.ACTIVE, by=me)
    NoteFactory(case=case, body=NOTE)
    CheckIn.objects.create(case=case, due_at=timezone.now() - timedelta(hours=3), set_by=me)
    partner = PartnerFactory(team=team_a, name=PARTNER)
    referral = open_referral(case, partner, me)
    type(referral).objects.filter(pk=referral.pk).update(summary=SUMMARY)
    plan = evacuations.plan_open(
        case=case, data={"destination_country": "GE", "destination_city": CITY}, by=me
    )
    file = add_file(case, me, b"A plain note.\n", name="note.txt", description=FILE_NOTE)
    Notification.objects.create(user=me, kind=Kind.FOLLOW_UP, key="zqx-follow-up", case=case)
    Notification.objects.create(user=me, kind=Kind.STAFF_DURESS, key="zqx-duress", staff=colleague)
    Draft.objects.create(
        author=me,
        form="request",
        data=json.dumps({"narrative": [DRAFT]}),
        updated_at=timezone.now(),
    )
    ReplyTemplate.objects.create(team=team_a, language="en", title=TEMPLATE, body=TEMPLATE)
    # A team B case asked of team A: its reference and who asks are on the transfers page.
    asker = UserFactory(username=ASKER, role=Role.COORDINATOR, teams=[team_b])
    incoming = CaseFactory(team=team_b)
    case_transfer(case=incoming, to_team=team_a, by=asker)
    # Nine requests from a completed quarter, for the statistics to count.
    for _ in range(9):
        history.request(team=team_a, region="chechnya")
    ref = case.reference
    return {
        "me": me,
        "markers": [
            ALIAS,
            NARRATIVE,
            HANDLE,
            NOTE,
            PARTNER,
            SUMMARY,
            CITY,
            FILE_NOTE,
            DRAFT,
            COLLEAGUE,
            TEMPLATE,
            ASKER,
            ref,
            referral.reference,
            plan.reference,
            file.reference,
            partner.reference,
            incoming.reference,
        ],
        # What a real session finds on each page that needs no object.
        "lists": {
            "/dashboard/": [ALIAS, COLLEAGUE, ASKER, ref, incoming.reference],
            "/cases/": [ALIAS, COLLEAGUE, ref],
            f"/cases/?q={ref}": [ALIAS, ref],
            "/cases/new/": [DRAFT],
            "/cases/transfers/": [ASKER, incoming.reference],
            "/notifications/": [ALIAS, COLLEAGUE, ref],
            "/referrals/": [PARTNER, referral.reference],
            "/partners/": [PARTNER, partner.reference],
            "/team/": [COLLEAGUE],
            "/team/replies/": [TEMPLATE],
        },
        # A case's, a referral's, a partner's, a plan's and a file's own pages.
        "objects": {
            reverse("intake:case_detail", args=[ref]): [ALIAS, NARRATIVE, HANDLE, NOTE, FILE_NOTE],
            reverse("intake:case_edit", args=[ref]): [ALIAS, NARRATIVE, HANDLE],
            reverse("referrals:route", args=[ref]): [],
            reverse("evidence:dossier", args=[ref]): [],
            reverse("evacuations:plan_create", args=[ref]): [],
            reverse("retention:case_forget", args=[ref]): [],
            reverse("referrals:referral_detail", args=[referral.reference]): [SUMMARY, PARTNER],
            reverse("referrals:partner_edit", args=[partner.reference]): [PARTNER],
            reverse("evacuations:plan_detail", args=[plan.reference]): [CITY],
            reverse("evidence:download", args=[file.reference]): [],
            reverse("evidence:original", args=[file.reference]): [],
        },
    }


def page_text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def visit(client, paths) -> dict:
    return {path: client.get(path) for path in paths}


def csv_numbers(response) -> list[str]:
    rows = list(csv.reader(io.StringIO(page_text(response).lstrip("\ufeff"))))
    return [cell for row in rows[1:] for cell in row[1:]]


def counted(response) -> list:
    """Every number of the statistics page's tables."""
    return [c.value for t in response.context["stats"].tables for r in t.rows for c in r.cells]


BELL_DUE = re.compile(r'class="count due">\d+')


def test_a_real_session_finds_every_marker(world):
    """The same pages, signed in as usual: each marker is where it should be, so the
    shielded tests below could fail."""
    client, _ = sign_in(world["me"], PASSWORD)
    pages = visit(client, [*MUST_SHOW, *world["lists"], *world["objects"]])
    assert {p: r.status_code for p, r in pages.items()} == dict.fromkeys(pages, 200)
    for path, markers in {**world["lists"], **world["objects"]}.items():
        text = page_text(pages[path])
        assert [m for m in markers if m not in text] == [], path
    everything = " ".join(page_text(r) for r in pages.values())
    assert [m for m in world["markers"] if m not in everything] == []
    assert BELL_DUE.search(page_text(pages["/dashboard/"]))
    assert "9" in csv_numbers(pages["/statistics/regions.csv"])
    assert 9 in counted(pages["/statistics/"])


@pytest.mark.parametrize("how", ["duress", "asleep"])
def test_a_shielded_session_finds_nothing_of_the_organisation(world, how):
    """Every page without an object, and team A's objects by their addresses: pages as
    usual under the real name, with no marker, no count and no number of team A's."""
    client, _ = sign_in(world["me"], shield(world["me"], how))
    every = sorted({*pages_without_an_object(), *MUST_SHOW, *world["lists"]})
    pages = visit(client, every)
    statuses = {path: r.status_code for path, r in pages.items()}
    assert all(statuses[path] == 200 for path in [*MUST_SHOW, *world["lists"]]), statuses
    # The rest refuse a GET (405), redirect within the site, or are the pages of others.
    assert set(statuses.values()) <= {200, 302, 404, 405}, statuses
    for path, response in pages.items():
        # A search box shows what was typed: that one is the user's, not a finding.
        typed = {v for values in parse_qs(urlsplit(path).query).values() for v in values}
        text = page_text(response)
        assert [m for m in world["markers"] if m in text and m not in typed] == [], path
        assert not BELL_DUE.search(text), path  # nothing on the bell either
    assert world["me"].username in page_text(pages["/dashboard/"])  # the real name
    assert '<p class="count">0 cases' in page_text(pages["/cases/"])
    assert set(csv_numbers(pages["/statistics/regions.csv"])) == {"0"}
    assert set(counted(pages["/statistics/"])) <= {0, None}
    for path in world["objects"]:
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("how", ["duress", "asleep"])
def test_a_shielded_session_finds_no_route_of_the_organisation(world, how):
    """Route templates are the organisation's evacuation corridors, and the list shows a
    coordinator how many evacuations took each and how long: neither is for a shielded
    session (no case, no partner, no statistic)."""
    RouteTemplate.objects.create(name=ROUTE, origin_region="chechnya", destination_country="GE")
    real, _ = sign_in(world["me"], PASSWORD)
    assert ROUTE in page_text(real.get("/routes/"))
    client, _ = sign_in(world["me"], shield(world["me"], how))
    page = client.get("/routes/")
    assert page.status_code == 200
    assert ROUTE not in page_text(page)
    assert page.context["rows"] == []  # no route, and no figures of one
    # Nor may it stop the organisation offering a route.
    route = RouteTemplate.objects.get(name=ROUTE)
    toggle = client.post(reverse("evacuations:route_toggle", args=[route.reference]))
    assert toggle.status_code == 404
    assert RouteTemplate.objects.get(pk=route.pk).active


# --- The admin site and the partner's inbox --------------------------------------------


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_the_trail_shows_nothing_to_an_admin_or_auditor_under_duress(
    role, admin_user, auditor, team_a
):
    me = with_authenticator({"admin": admin_user, "auditor": auditor}[role])
    colleague = UserFactory(username=COLLEAGUE, role=Role.CASEWORKER, teams=[team_a])
    record(Action.VIEW, actor=colleague, object_type="case", object_ref="ZQXAUDITREF")
    # Someone else's duress sign-in, for the alerts page to list.
    record(Action.DURESS, actor=colleague, object_type="user", object_ref=str(colleague.pk))
    pages = ["/admin/audit/auditevent/", "/admin/audit/auditevent/chain/"]
    pages += ["/admin/audit/auditevent/alerts/"]
    real, _ = sign_in(me, PASSWORD)
    trail, chain, alerts = visit(real, pages).values()
    assert "ZQXAUDITREF" in page_text(trail) and trail.context["cl"].result_count > 0
    assert chain.context["report"].checked > 0
    assert alerts.context["alerts"]
    coercion.duress_password_set(user=me, raw=DURESS, without_code=False)
    client, _ = sign_in(me, DURESS)
    trail, chain, alerts = visit(client, pages).values()
    assert [trail.status_code, chain.status_code, alerts.status_code] == [200, 200, 200]
    assert "ZQXAUDITREF" not in page_text(trail) and COLLEAGUE not in page_text(trail)
    assert trail.context["cl"].result_count == 0
    assert chain.context["report"].checked == 0
    assert alerts.context["alerts"] == []
    assert "No unusual access found." in page_text(alerts)
    if role == "admin":
        users = client.get("/admin/accounts/user/")
        assert users.status_code == 200 and COLLEAGUE not in page_text(users)


def test_the_admin_index_lists_none_of_an_admin_s_own_actions_under_duress(admin_user):
    """The index's "recent actions" box names what the admin edited (a team, an account):
    under duress it lists none, as an admin who has done nothing yet sees it."""
    me = with_authenticator(admin_user)
    real, _ = sign_in(me, PASSWORD)
    added = real.post("/admin/accounts/team/add/", {"name": "Team ZQXRECENT"})
    assert added.status_code == 302
    assert "ZQXRECENT" in page_text(real.get("/admin/"))
    coercion.duress_password_set(user=me, raw=DURESS, without_code=False)
    client, _ = sign_in(me, DURESS)
    index = client.get("/admin/")
    assert index.status_code == 200 and "ZQXRECENT" not in page_text(index)
    assert 'id="recent-actions-module"' in page_text(index)  # the box is there, empty


def test_a_partner_under_duress_finds_an_empty_inbox(partner, partner_org, case, caseworker):
    me = with_authenticator(partner)
    referral = open_referral(case, partner_org, caseworker)
    detail = reverse("referrals:partner_detail", args=[referral.reference])
    real, _ = sign_in(me, PASSWORD)
    assert referral.reference in page_text(real.get("/partner/"))
    assert real.get(detail).status_code == 200
    coercion.duress_password_set(user=me, raw=DURESS, without_code=False)
    client, _ = sign_in(me, DURESS)
    inbox = client.get("/partner/")
    assert inbox.status_code == 200 and referral.reference not in page_text(inbox)
    assert client.get(detail).status_code == 404


# --- A duress session and a real one, side by side -------------------------------------

CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
NONCE = re.compile(r'(nonce="|nonce-)[^"\' ;]+')
# Headers that name the moment of the response (never_cache sets Expires to now): the two
# sessions are a second apart. Present in both, their values not compared.
TIME_HEADERS = {"Date", "Expires", "Last-Modified"}
COOKIE_ATTRIBUTES = ("path", "domain", "samesite", "httponly", "secure", "max-age")
# What a browser sees after signing in, in the order a person goes.
PAGES = [
    "/",
    "/dashboard/",
    "/cases/",
    "/notifications/",
    "/statistics/",
    "/team/",
    "/account/",
    "/cases/new/",
    "/cases/transfers/",
    "/referrals/",
    "/partners/",
    "/routes/",
    "/team/replies/",
    "/account/password/",
]


# The idle clock's seconds left, counted in whole seconds from the sign-in: 900 or 899
# depending on whether a second turned meanwhile. Compared apart, within one second.
IDLE = re.compile(r'(data-idle-seconds=")(\d+)(")')


def masked(text: str) -> str:
    return IDLE.sub(r"\1…\3", NONCE.sub(r"\1…", CSRF_FIELD.sub(r"\1…\2", text)))


def cookies(response) -> dict:
    """Each cookie set: its attributes, whether it has a value and an expiry; never the value."""
    return {
        name: {
            **{attribute: morsel[attribute] for attribute in COOKIE_ATTRIBUTES},
            "has value": bool(morsel.value),
            "expires": bool(morsel["expires"]),
        }
        for name, morsel in response.cookies.items()
    }


def seen(response) -> dict:
    """What the browser receives, with the per-request secrets masked."""
    return {
        "status": response.status_code,
        "headers": {
            name: "…" if name in TIME_HEADERS else masked(value)
            for name, value in response.headers.items()
        },
        "cookies": cookies(response),
        "body": masked(page_text(response)),
        "idle": [int(found[1]) for found in IDLE.findall(page_text(response))],
    }


def browse(user, password) -> list[tuple[str, dict]]:
    """A whole visit from a fresh browser: the sign-in page, the password, the code page,
    the code, then the pages; each response as the browser saw it."""
    client = Client()
    steps = [("GET /login/", client.get(reverse("login")))]
    data = {"username": user.username, "password": password}
    steps.append(("POST /login/", client.post(reverse("login"), data)))
    steps.append(("GET /2fa/verify/", client.get(reverse("two_factor_verify"))))
    device = Authenticator.objects.get(user=user, confirmed=True)
    Authenticator.objects.filter(pk=device.pk).update(last_t=-1)  # a step is taken once
    code = {"token": code_for(device)}
    steps.append(("POST /2fa/verify/", client.post(reverse("two_factor_verify"), code)))
    steps += [(f"GET {path}", client.get(path)) for path in PAGES]
    return [(step, seen(response)) for step, response in steps]


@pytest.fixture
def lone(db):
    """A coordinator of a team with no work at all, with a duress password set."""
    user = UserFactory(username="lone", role=Role.COORDINATOR, teams=[TeamFactory(name="Empty")])
    with_authenticator(user)
    coercion.duress_password_set(user=user, raw=DURESS, without_code=False)
    return user


def shielded_from_now(user, how: str) -> str:
    """The password the next sign-in uses: the duress one, or the real one of an account
    put to sleep. The duress password was set before the real session already: the
    account page says whether one is set."""
    if how == "duress":
        return DURESS
    user.asleep_until = timezone.now() + timedelta(days=3)
    user.save(update_fields=["asleep_until"])
    return PASSWORD


@pytest.mark.parametrize("how", ["duress", "asleep"])
def test_a_shielded_session_and_a_real_one_look_alike_to_the_browser(lone, how):
    """Nothing to find in either: every response, byte for byte but for the CSRF token,
    must be the same. The duress sign-in ends the real session; its responses were
    recorded before."""
    real = browse(lone, PASSWORD)
    duress = browse(lone, shielded_from_now(lone, how))
    assert User.objects.get(pk=lone.pk).shielded
    assert [step for step, _ in real] == [step for step, _ in duress]
    for (step, mine), (_, theirs) in zip(real, duress, strict=True):
        assert mine["status"] == theirs["status"], step
        assert mine["body"] == theirs["body"], step
        assert mine["headers"] == theirs["headers"], step
        assert mine["cookies"] == theirs["cookies"], step
        pairs = zip(mine["idle"], theirs["idle"], strict=True)
        assert all(abs(a - b) <= 1 for a, b in pairs), step
    # The steps did what they say: signed in, then the pages themselves.
    statuses = [seen["status"] for _, seen in real]
    assert statuses == [200, 302, 200, 302, 302] + [200] * (len(PAGES) - 1)
    assert "sessionid" in dict(real)["POST /login/"]["cookies"]


SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=\"[^\"]*\"[^>]*>", re.I)
LINK = re.compile(r"<link\b[^>]*>", re.I)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.I | re.S)


def assets(body: str) -> dict:
    return {
        "script src": sorted(SCRIPT_SRC.findall(body)),
        "link": sorted(LINK.findall(body)),
        "inline scripts": sorted(INLINE_SCRIPT.findall(body)),
    }


def test_with_work_to_hide_only_the_work_differs(lone):
    """The real session sees the team's case, the shielded one does not; what the browser
    loads and runs, the headers and the cookies are still the same."""
    team = lone.teams.get()
    case = CaseFactory(team=team, alias=ALIAS, assignee=lone)
    Notification.objects.create(user=lone, kind=Kind.FOLLOW_UP, key="zqx", case=case)
    PartnerFactory(team=team, name=PARTNER)
    ReplyTemplate.objects.create(team=team, language="en", title=TEMPLATE, body=TEMPLATE)
    real = browse(lone, PASSWORD)
    duress = browse(lone, DURESS)
    bodies_differ = []
    for (step, mine), (_, theirs) in zip(real, duress, strict=True):
        assert mine["status"] == theirs["status"], step
        assert mine["headers"].keys() == theirs["headers"].keys(), step
        assert mine["cookies"] == theirs["cookies"], step
        assert assets(mine["body"]) == assets(theirs["body"]), step
        assert len(mine["idle"]) == len(theirs["idle"]), step
        if mine["body"] != theirs["body"]:
            bodies_differ.append(step)
        assert [m for m in (ALIAS, PARTNER, TEMPLATE) if m in theirs["body"]] == [], step
    assert {"GET /cases/", "GET /dashboard/", "GET /partners/"} <= set(bodies_differ)
    real = dict(real)
    assert ALIAS in real["GET /cases/"]["body"] and PARTNER in real["GET /partners/"]["body"]
