"""Huge, empty, malformed and hostile input: a clear error or a safe render, never a 500,
and nothing stored on rejection."""

import operator
from collections import Counter
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.models import Case, Note
from intake.status import Status
from tests.factories import PASSWORD
from tests.hostile import HOSTILE, assert_safe, valid

TEXT_FIELDS = ["alias", "contact_handle", "safe_contact", "location", "narrative"]
CHOICE_FIELDS = ["contact_channel", "region", "risk", "threats", "needs", "languages", "team"]


@pytest.fixture
def desk(client, caseworker):
    client.force_login(caseworker)
    return client


@pytest.mark.parametrize("field", TEXT_FIELDS + CHOICE_FIELDS)
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_intake_form_field(desk, team_a, field, value):
    response = desk.post(reverse("intake:case_create"), {**valid(team_a), field: value})
    assert_safe(response)
    if response.status_code == 302:
        case = Case.objects.get()
        assert getattr(case, field) == value.strip()
    else:
        assert not Case.objects.exists()


VALID_CHOICES = {
    "contact_channel": ["telegram", "phone", "other"],
    "region": ["chechnya", "azerbaijan", "other"],
    "risk": ["1", "2", "3", "4"],
    "threats": ["outing", "extortion"],
    "needs": ["shelter", "legal"],
    "languages": ["ru", "ce"],
}
# Either all choices valid or all attacked, and either all text free of
# control characters or anything at all: then about a quarter of the
# examples must save and render, and the rest must be refused cleanly.
PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))
SINGLE_CHOICES = ("contact_channel", "region", "risk")


def text_fields(text):
    return st.fixed_dictionaries(
        {name: text for name in TEXT_FIELDS} | {"alias": text.filter(str.strip)}
    )


def choice_fields(pick):
    return st.fixed_dictionaries(
        {
            name: pick(values) if name in SINGLE_CHOICES else st.lists(pick(values), max_size=2)
            for name, values in VALID_CHOICES.items()
        }
    )


FORM_DATA = st.builds(
    operator.or_,
    st.one_of(text_fields(st.text(PRINTABLE, max_size=80)), text_fields(st.text(max_size=300))),
    st.one_of(choice_fields(st.sampled_from), choice_fields(lambda _: st.text(max_size=20))),
)


def test_intake_form_never_fails_on_any_text(desk, team_a):
    outcomes = Counter()

    @given(FORM_DATA)
    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def post(data):
        with transaction.atomic():
            before = Case.objects.count()
            response = desk.post(reverse("intake:case_create"), {**data, "team": team_a.pk})
            assert_safe(response)
            outcomes[response.status_code] += 1
            if response.status_code == 302:
                case = Case.objects.get(reference=response["Location"].split("/")[-2])
                assert case.alias == data["alias"].strip()
                assert desk.get(response["Location"]).status_code == 200
            else:
                assert Case.objects.count() == before
            transaction.set_rollback(True)

    post()
    # Both paths were exercised: a run that only ever rejected proves little.
    assert outcomes[302] >= 5, outcomes
    assert outcomes[400] >= 5, outcomes


@pytest.mark.parametrize(
    ("view", "field"),
    [
        ("note_add", "body"),
        ("case_move", "to"),
        ("case_move", "closure_reason"),
        ("follow_up_set", "follow_up_on"),
        ("verification_set", "verification"),
        ("case_assign", "assignee"),
    ],
)
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_case_action_field(client, coordinator, case, view, field, value):
    client.force_login(coordinator)
    before = Case.objects.filter(pk=case.pk).values().get()
    response = client.post(reverse(f"intake:{view}", args=[case.reference]), {field: value})
    assert_safe(response)
    if response.status_code == 400:
        assert Case.objects.filter(pk=case.pk).values().get() == before
        assert not Note.objects.exists()


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_case_edit_text_field(client, caseworker, case, field, value):
    client.force_login(caseworker)
    before = getattr(Case.objects.get(pk=case.pk), field)
    data = {**valid(case.team), field: value}
    response = client.post(reverse("intake:case_edit", args=[case.reference]), data)
    assert_safe(response)
    after = getattr(Case.objects.get(pk=case.pk), field)
    assert after == (value.strip() if response.status_code == 302 else before)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_login_form(client, db, value):
    response = client.post(reverse("login"), {"username": value, "password": value})
    assert_safe(response)
    assert response.status_code in (200, 400)
    assert "_auth_user_id" not in client.session


# Where a `next` may send someone: words that name a view, other hosts in
# disguise, and everything above.
NEXTS = [
    "foo",
    "home",
    "admin:index",
    "reauth",
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/cases/\r\nSet-Cookie: taken=1",
    *HOSTILE,
]


def assert_same_site(response, asked):
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        location = response["Location"]
        split = urlsplit(location)
        assert location.startswith("/") and not split.scheme and not split.netloc
        assert not location.startswith(("//", "/\\")) and "\n" not in location
        assert location == "/" or location == iri_to_uri(asked)


@pytest.mark.parametrize("value", NEXTS, ids=range(len(NEXTS)))
def test_language_next(client, db, caseworker, value):
    response = client.post(reverse("language_set"), {"language": "ru", "next": value})
    assert_same_site(response, value)
    client.force_login(caseworker)
    response = client.post(reverse("language_set"), {"language": "en", "next": value})
    assert_same_site(response, value)


@pytest.mark.parametrize("value", NEXTS, ids=range(len(NEXTS)))
def test_confirm_next(client, caseworker, value):
    client.force_login(caseworker)
    url = f"{reverse('reauth')}?{urlencode({'next': value})}"
    assert client.get(url).status_code in (200, 400)
    assert_same_site(client.post(url, {"password": PASSWORD}), value)


@pytest.mark.parametrize("value", NEXTS, ids=range(len(NEXTS)))
def test_draft_discard_next(client, caseworker, value):
    client.force_login(caseworker)
    response = client.post(
        reverse("drafts:discard"), {"_draft": "request", "_draft_scope": "", "next": value}
    )
    assert response.status_code in (302, 400, 403)
    if response.status_code == 302:
        assert_same_site(response, value)


def test_an_oversized_request_body_is_refused_cleanly(desk, team_a):
    response = desk.post(
        reverse("intake:case_create"), {**valid(team_a), "narrative": "x" * 400_000}
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_status_move_from_a_stale_page_is_refused(client, caseworker, case):
    """The form offered 'active' while the case was verifying; someone closed it meanwhile."""
    client.force_login(caseworker)
    Case.objects.filter(pk=case.pk).update(status=Status.RELOCATED)
    response = client.post(reverse("intake:case_move", args=[case.reference]), {"to": "verifying"})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == Status.RELOCATED
