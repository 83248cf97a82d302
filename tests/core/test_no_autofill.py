"""Every field and form that takes case data says autocomplete="off" (issue 17).

Chromium keeps what is submitted through a text field in the profile's
autofill table unless the field or its form says off; tests/e2e/
test_nothing_kept_by_the_browser.py shows it does. Here, fast: every form
class of the case apps, found by import, and every form on the pages that
hold them, rendered as the persona who uses them.
"""

import importlib
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from core.forms import NoAutofillMixin
from evacuations import services as evacuations
from intake.status import Status
from referrals.services import referral_move
from tests.factories import CaseFactory, ReferralFactory

# The modules whose forms take case, referral, partner or plan data.
CASE_FORM_MODULES = [
    "intake.forms",
    "intake.filters",
    "referrals.forms",
    "evacuations.forms",
    "retention.forms",
]
# Not taken by the browser's autofill at all; their form's "off" covers them.
UNCONCERNED = {"hidden", "submit", "button", "reset", "image", "checkbox", "radio"}
# What a password field says instead, so that a password manager does not
# offer the user's own password to a partner's new account.
PASSWORD_TOKENS = {"new-password", "current-password"}


def case_form_classes() -> list:
    params = []
    for name in CASE_FORM_MODULES:
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if not (isinstance(obj, type) and issubclass(obj, forms.BaseForm)):
                continue
            if obj.__module__ != module.__name__:
                continue
            params.append(pytest.param(obj, id=f"{name}.{obj.__name__}"))
    return params


class Controls(HTMLParser):
    """The forms and form controls inside <main>, with their attributes."""

    def __init__(self):
        super().__init__()
        self.in_main = 0
        self.forms: list[dict] = []
        self.controls: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "main":
            self.in_main += 1
        elif not self.in_main:
            return
        elif tag == "form":
            self.forms.append(attrs)
        elif tag in ("input", "select", "textarea"):
            attrs.setdefault("type", tag if tag != "input" else "text")
            self.controls.append(attrs)

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main -= 1


def problems(html: str) -> list[str]:
    """Each form or control that lets the browser keep what is typed into it."""
    found = Controls()
    found.feed(html)
    wrong = [f"<form {f}>" for f in found.forms if f.get("autocomplete") != "off"]
    for control in found.controls:
        kind = control["type"].lower()
        said = control.get("autocomplete")
        if kind in UNCONCERNED:
            continue
        if kind == "password" and said in PASSWORD_TOKENS:
            continue
        if said != "off":
            wrong.append(f"{control.get('name')} ({kind}, autocomplete={said!r})")
    return wrong


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", case_form_classes())
def test_every_field_of_a_case_form_renders_without_autofill(form_class):
    assert issubclass(form_class, NoAutofillMixin)
    # The fields as the class declares them: the forms' own __init__ take a
    # view's arguments (user, plan, case); what they add (DocumentsForm, the
    # case filter) is checked on the pages below.
    form = form_class.__new__(form_class)
    forms.BaseForm.__init__(form)
    for name in form.fields:
        html = f"<main><form autocomplete='off'>{form[name]}</form></main>"
        assert not problems(html), (name, problems(html))


def test_the_check_notices_a_field_that_lost_it():
    class Careless(NoAutofillMixin, forms.Form):
        reason = forms.CharField(widget=forms.TextInput(attrs={"autocomplete": "on"}))

    class Forgotten(forms.Form):
        reason = forms.CharField()

    for form_class in (Careless, Forgotten):
        assert problems(f"<main><form autocomplete='off'>{form_class()['reason']}</form></main>")
    assert problems("<main><form><select name='x'></select></form></main>") == [
        "<form {}>",
        "x (select, autocomplete=None)",
    ]


def leg_add(plan, kind, by):
    today = timezone.localdate()
    data = {
        "kind": kind,
        "partner_kind": "",
        "referral": None,
        "details": "",
        "partner_details": "",
    }
    data |= {"planned_start": today, "planned_end": today + timedelta(days=2)}
    return evacuations.leg_add(plan=plan, data=data, by=by)


@pytest.fixture
def scene(team_a, caseworker, coordinator, partner, partner_org):
    """A case in every state whose page holds a form: referrals, a plan under way, one done."""
    case = CaseFactory(team=team_a)
    for status in (Status.VERIFYING, Status.ACTIVE):
        case.move_to(status, by=caseworker)
    draft, sent, accepted = (ReferralFactory(case=case, partner=partner_org) for _ in range(3))
    for referral in (sent, accepted):
        referral_move(referral=referral, to="sent", by=caseworker)
    for to in ("acknowledged", "accepted"):
        referral_move(referral=accepted, to=to, by=partner)
    plan = evacuations.plan_open(
        case=case, data={"destination_country": "GE", "destination_city": "Tbilisi"}, by=caseworker
    )
    legs = [leg_add(plan, kind, caseworker) for kind in ("travel", "arrival")]
    case.move_to(Status.IN_TRANSIT, by=caseworker)
    evacuations.leg_start(leg=legs[0], by=caseworker)

    done = CaseFactory(team=team_a)
    for status in (Status.VERIFYING, Status.ACTIVE, Status.IN_TRANSIT):
        done.move_to(status, by=caseworker)
    finished = evacuations.plan_open(
        case=done, data={"destination_country": "GE", "destination_city": "Batumi"}, by=caseworker
    )
    leg = leg_add(finished, "arrival", caseworker)
    evacuations.leg_start(leg=leg, by=caseworker)
    evacuations.leg_arrived(leg=leg, by=caseworker)
    evacuations.plan_complete(plan=finished, by=caseworker, relocate=True)
    return {
        "case": case,
        "fresh": CaseFactory(team=team_a),
        "draft": draft,
        "sent": sent,
        "accepted": accepted,
        "plan": plan,
        "leg": legs[1],
        "finished": finished,
        "partner": partner_org,
    }


def pages(s) -> list[tuple[str, str]]:
    """(persona, url) of every GET page that holds a form of case data."""
    c, p, r = s["case"].reference, s["plan"].reference, s["partner"].reference
    return [
        ("caseworker", reverse("intake:case_list")),
        ("caseworker", reverse("intake:case_create")),
        ("caseworker", reverse("intake:case_detail", args=[c])),
        ("caseworker", reverse("intake:case_edit", args=[c])),
        ("caseworker", reverse("referrals:route", args=[c]) + "?service=shelter"),
        (
            "caseworker",
            reverse("referrals:referral_create", args=[c]) + f"?partner={r}&service=shelter",
        ),
        ("caseworker", reverse("referrals:referral_detail", args=[s["draft"].reference])),
        ("caseworker", reverse("referrals:referral_edit", args=[s["draft"].reference])),
        ("caseworker", reverse("evacuations:plan_create", args=[s["fresh"].reference])),
        ("caseworker", reverse("evacuations:plan_detail", args=[p])),
        ("caseworker", reverse("evacuations:leg_edit", args=[p, s["leg"].key])),
        ("coordinator", reverse("referrals:partner_create")),
        ("coordinator", reverse("referrals:partner_edit", args=[r])),
        ("coordinator", reverse("evacuations:route_save", args=[s["finished"].reference])),
        ("partner", reverse("referrals:partner_detail", args=[s["sent"].reference])),
        ("partner", reverse("referrals:partner_detail", args=[s["accepted"].reference])),
    ]


@pytest.mark.django_db
def test_every_form_on_a_case_page_renders_without_autofill(client, personas, scene):
    checked = 0
    for role, url in pages(scene):
        checked += check_page(client, personas[role], url)
    assert checked > 40


@pytest.mark.django_db
def test_the_forget_page_renders_without_autofill(client, coordinator, case):
    check_page(client, coordinator, reverse("retention:case_forget", args=[case.reference]))


def check_page(client, user, url: str) -> int:
    """Assert the page's forms keep nothing; return how many forms it has."""
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (user.role, url, response.status_code)
    html = response.content.decode()
    assert "<form" in html, url
    assert not problems(html), (user.role, url, problems(html))
    return html.count("<form")
