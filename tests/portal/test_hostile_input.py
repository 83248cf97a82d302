"""The hostile-input corpus on every portal field: a clear answer, nothing stored, no 500."""

import pytest
from django.urls import reverse

from conversations.models import Message
from intake.models import Case
from portal.models import Codename
from tests.hostile import HOSTILE
from tests.portal.conftest import REQUEST, ask

pytestmark = pytest.mark.django_db
# A value any text field may take: it is stored encrypted, never echoed as markup.
HARMLESS_TEXT = {"<script>alert('x')</script>", '"><img src=x onerror=alert(1)>',
                 "'; DROP TABLE intake_case; --", "1 OR 1=1", "{{ 7*7 }} {% debug %}",
                 "%(alias)s %s %n", "../../etc/passwd", "99999999999999999999999999",
                 "🏳️‍🌈" * 50, "Ｚａｌｇｏ ̷̡̛̀ͅ t̸̖͛e̵̡͝x̶̰̌t", "\u202eevil\u202c"}  # fmt: skip


NULL_BYTES = {"a\x00b", "\x00"}  # refused by ops' middleware before any view: a plain 400


def follow(client, response):
    """The page a refused POST redirects to: where the person reads why."""
    if response.status_code == 400:
        assert b"null" in response.content.lower()
        return response
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code in (200, 400)
    assert b"<script>alert" not in page.content and b"<img src=x" not in page.content
    return page


@pytest.mark.parametrize("field", ["alias", "narrative", "handle", "safe_contact"])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_request_text_fields(client, portal_open, field, value):
    data = {**REQUEST, "reach": "signal", "handle": "@someone", field: value}
    response = client.post(reverse("portal:ask"), data)
    page = follow(client, response)
    if value in HARMLESS_TEXT and (field != "alias" or len(value) <= 80):
        assert Case.objects.exists()  # accepted as text, encrypted, never echoed as markup
    elif Case.objects.exists():
        # An optional field left empty, or with nothing visible: stored as empty
        # (the channel's name alone, for how to reach them).
        assert field == "safe_contact" and Case.objects.get().safe_contact == "Signal"
    else:
        assert value in NULL_BYTES or b'class="error-summary"' in page.content


@pytest.mark.parametrize("field", ["danger", "region", "reach", "needs", "languages"])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_request_choice_fields(client, portal_open, field, value):
    data = {**REQUEST, field: value}
    response = client.post(reverse("portal:ask"), data)
    page = follow(client, response)
    assert not Case.objects.exists()
    assert value in NULL_BYTES or b'class="error-summary"' in page.content


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_sign_in_box(client, portal_open, value):
    ask(client.__class__())
    other = client.__class__()
    response = other.post(reverse("portal:sign_in"), {"codename": value})
    page = follow(other, response)
    assert value in NULL_BYTES or b'role="alert"' in page.content
    assert other.get(reverse("portal:inbox")).status_code == 302
    assert value.encode() not in page.content or value.strip() == ""


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_message_box(client, portal_open, value):
    ask(client)
    response = client.post(reverse("portal:write"), {"body": value})
    follow(client, response)
    stored = Message.objects.exists()
    assert stored == (value in HARMLESS_TEXT)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_the_language_parameter(client, portal_open, value):
    response = client.get(reverse("portal:start"), {"lang": value})
    if value in NULL_BYTES:
        assert response.status_code == 400
    else:
        assert response.status_code == 200
        assert response["Content-Language"] == "ru"


def test_a_huge_check_in_id_is_refused(client, portal_open):
    ask(client)
    response = client.post(f"{reverse('portal:start')}check-in/{'9' * 30}/")
    assert response.status_code in (400, 404)


def test_nothing_but_what_is_asked_is_stored(client, portal_open):
    response = client.post(reverse("portal:ask"), {**REQUEST, "team": "999", "risk": "1"})
    follow(client, response)
    case = Case.objects.get()
    assert case.team == portal_open and case.risk == 3
    assert Codename.objects.count() == 1
