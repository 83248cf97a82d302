"""Hostile input in the reply box, the template choice and the template forms: a clear
answer where the person is looking or a safe store, nothing else changed, never a 500."""

import pytest
from django.urls import reverse

from conversations.models import MESSAGE_MAX, TEMPLATE_TITLE_MAX, Message, ReplyTemplate
from tests.conversations.conftest import template
from tests.hostile import HOSTILE, assert_safe

NUL_REFUSED = b"The request contains a null character."


def refused_where_seen(response, value) -> bool:
    if "\x00" in value:
        return response.content == NUL_REFUSED  # ops/middleware, before any view
    return b"error-summary" in response.content


def acceptable(value: str, limit: int) -> bool:
    """What a form takes: some text once stripped, short enough, no control characters."""
    text = value.strip()
    return bool(text) and len(text) <= limit and not any(ord(c) < 32 for c in text)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_the_reply_box(worker, portal_case, value):
    url = reverse("conversations:reply", args=[portal_case.reference])
    response = worker.post(url, {"body": value})
    assert_safe(response)
    if acceptable(value, MESSAGE_MAX):
        assert response.status_code == 302
        assert Message.objects.get().body == value.strip()  # stored as typed, escaped when shown
        page = worker.get(response["Location"])
        assert_safe(page)
    else:
        assert response.status_code == 400
        assert refused_where_seen(response, value)
        assert not Message.objects.exists()


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_the_template_choice_on_insert(worker, portal_case, team_a, value):
    template(team_a)
    url = reverse("conversations:reply", args=[portal_case.reference])
    response = worker.post(url, {"body": "typed", "template": value, "insert": "1"})
    assert_safe(response)
    assert response.status_code == 400
    assert refused_where_seen(response, value)
    assert not Message.objects.exists()


@pytest.mark.parametrize("field", ["title", "body", "language", "team"])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_the_new_template_form(coordinating, team_a, field, value):
    data = {"team": team_a.pk, "language": "en", "title": "Title", "body": "Body", field: value}
    response = coordinating.post(reverse("conversations:template_create"), data)
    assert response.status_code != 500
    assert_safe(response) if response.status_code != 404 else None
    limit = TEMPLATE_TITLE_MAX if field == "title" else MESSAGE_MAX
    if field in ("title", "body") and acceptable(value, limit):
        assert response.status_code == 302
        assert getattr(ReplyTemplate.objects.get(), field) == value.strip()
    elif field == "team" and "\x00" not in value:
        assert response.status_code == 404  # no team of theirs: as another team's
        assert not ReplyTemplate.objects.exists()
    else:
        assert response.status_code == 400
        assert refused_where_seen(response, value)
        assert not ReplyTemplate.objects.exists()


@pytest.mark.parametrize("field", ["title", "body", "template"])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_the_template_change_form(coordinating, team_a, field, value):
    saved = template(team_a)
    data = {"template": saved.pk, "language": "en", "title": "Title", "body": "Body", field: value}
    response = coordinating.post(reverse("conversations:template_update"), data)
    assert response.status_code in (302, 400, 404)
    fresh = ReplyTemplate.objects.get()
    if field == "template":
        if "\x00" in value:
            assert response.content == NUL_REFUSED
        else:
            assert response.status_code == 404  # names no template of theirs
        assert fresh.title == "Safe phone"
    elif acceptable(value, TEMPLATE_TITLE_MAX if field == "title" else MESSAGE_MAX):
        assert response.status_code == 302
        assert getattr(fresh, field) == value.strip()
    else:
        assert_safe(response)
        assert response.status_code == 400
        assert refused_where_seen(response, value)
        assert (fresh.title, fresh.body) == ("Safe phone", "Delete this chat after reading.")
