"""Every persona against every conversations view: the reply on a portal case of
team A, and team A's reply templates. Denied by default."""

import pytest
from django.urls import reverse

from conversations.models import Message, ReplyTemplate
from tests.access import F302, LOGIN, cells, check
from tests.conversations.conftest import template

L = LOGIN

# fmt: off
#                                  anon  oper cw   coord outsider partner auditor admin
MATRIX = {
    ("reply", "POST"):             [L, 403, 302, 302, 404, 404, 404, 404],
    # "Insert" stores nothing: an allowed one shows the reply box again.
    ("reply", "POST", "insert"):   [L, 403, 200, 200, 404, 404, 404, 404],
    ("template_list", "GET"):      [L, 404, 404, 200, 200, 404, 404, 404],
    ("template_create", "POST"):   [L, 404, 404, 302, 404, 404, 404, 404, F302, F302],
    ("template_update", "POST"):   [L, 404, 404, 302, 404, 404, 404, 404],
    ("template_delete", "POST"):   [L, 404, 404, 302, 404, 404, 404, 404],
}
# fmt: on
COVERS = {f"conversations:{key[0]}" for key in MATRIX}


def snapshot():
    return (
        list(Message.objects.order_by("pk").values_list("pk", "direction", "read_at")),
        sorted((t.pk, t.team_id, t.language, t.title, t.body) for t in ReplyTemplate.objects.all()),
    )


def setup(view, variant, case, team):
    """The URL and form of each row: on team A's portal case, or team A's template."""
    saved = template(team)
    if view == "reply":
        data = {"body": "We read you. Stay where you are.", "template": ""}
        if variant == "insert":
            data.update(insert="1", template=saved.pk)
        return reverse("conversations:reply", args=[case.reference]), data
    url = reverse(f"conversations:{view}")
    if view == "template_list":
        return url, None
    if view == "template_create":
        return url, {"team": team.pk, "language": "ru", "title": "Новый", "body": "Текст."}
    if view == "template_update":
        return url, {"template": saved.pk, "language": "en", "title": "Changed", "body": "New."}
    if view == "template_delete":
        return url, {"template": saved.pk}
    raise AssertionError(view)


@pytest.mark.parametrize(
    ("view", "method", "variant", "role", "outcome"),
    cells({(key + ("",))[:3]: row for key, row in MATRIX.items()}),
)
def test_conversation_views(
    client, personas, portal_case, team_a, view, method, variant, role, outcome
):
    if role != "anonymous":
        client.force_login(personas[role])
    url, data = setup(view, variant, portal_case, team_a)
    before = snapshot()
    response = client.get(url) if method == "GET" else client.post(url, data)
    # An insert is a POST that rightly changes nothing: compared as a GET is.
    checked = "GET" if variant == "insert" else method
    check(response, outcome, method=checked, before=before, after=snapshot())
    if variant == "insert" and outcome == 200:
        assert "Delete this chat after reading." in response.content.decode()
