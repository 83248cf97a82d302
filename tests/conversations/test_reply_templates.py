"""The coordinators' reply templates page: list, create, change, delete; a refused
form comes back with what was typed."""

import re

from django.urls import reverse

from conversations.models import ReplyTemplate
from tests.conversations.conftest import template
from tests.factories import TeamFactory


def test_the_page_lists_only_the_coordinators_teams_templates(coordinating, team_a, team_b):
    template(team_a, title="OURS")
    template(team_b, title="THEIRS")
    response = coordinating.get(reverse("conversations:template_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "OURS" in html and "THEIRS" not in html
    assert "no-store" in response["Cache-Control"]


def test_a_template_is_created_changed_and_deleted(coordinating, team_a):
    url = reverse("conversations:template_create")
    data = {"team": team_a.pk, "language": "en", "title": "Safe phone", "body": "Use Signal."}
    response = coordinating.post(url, data)
    assert response.status_code == 302
    saved = ReplyTemplate.objects.get()
    assert (saved.team, saved.language, saved.title, saved.body) == (
        team_a,
        "en",
        "Safe phone",
        "Use Signal.",
    )
    change = {"template": saved.pk, "language": "ru", "title": "Телефон", "body": "Signal."}
    assert coordinating.post(reverse("conversations:template_update"), change).status_code == 302
    saved.refresh_from_db()
    assert (saved.language, saved.title, saved.body) == ("ru", "Телефон", "Signal.")
    assert saved.team == team_a  # an edit never moves it to another team
    gone = coordinating.post(reverse("conversations:template_delete"), {"template": saved.pk})
    assert gone.status_code == 302
    assert not ReplyTemplate.objects.exists()


def test_a_refused_new_template_comes_back_with_its_text(coordinating, team_a):
    data = {"team": team_a.pk, "language": "en", "title": "", "body": "KEEP-THIS-TEXT"}
    response = coordinating.post(reverse("conversations:template_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r"<textarea[^>]*>\s*KEEP-THIS-TEXT</textarea>", html)
    assert "error-summary" in html
    assert not ReplyTemplate.objects.exists()


def test_a_refused_change_comes_back_in_its_own_form(coordinating, team_a):
    first = template(team_a, title="First", body="first body")
    second = template(team_a, title="Second", body="second body")
    change = {"template": second.pk, "language": "en", "title": "", "body": "EDITED-TEXT"}
    response = coordinating.post(reverse("conversations:template_update"), change)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_t{second.pk}_body"' in html and "EDITED-TEXT" in html
    assert "first body" in html  # the others are shown as they are
    second.refresh_from_db()
    assert (second.title, second.body) == ("Second", "second body")
    first.refresh_from_db()
    assert first.body == "first body"


def test_another_teams_template_is_not_there(coordinating, team_b):
    theirs = template(team_b)
    for name, data in (
        ("template_update", {"template": theirs.pk, "language": "en", "title": "x", "body": "x"}),
        ("template_delete", {"template": theirs.pk}),
        ("template_create", {"team": team_b.pk, "language": "en", "title": "x", "body": "x"}),
    ):
        assert coordinating.post(reverse(f"conversations:{name}"), data).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Safe phone"
    assert ReplyTemplate.objects.count() == 1


def test_a_coordinator_of_two_teams_chooses_the_team(client, coordinator, team_a):
    team_c = TeamFactory(name="Team C")
    coordinator.teams.add(team_c)
    client.force_login(coordinator)
    html = client.get(reverse("conversations:template_list")).content.decode()
    assert '<select name="team"' in html
    data = {"team": team_c.pk, "language": "en", "title": "C", "body": "c"}
    assert client.post(reverse("conversations:template_create"), data).status_code == 302
    assert ReplyTemplate.objects.get().team == team_c


def test_the_team_page_links_to_the_templates(coordinating):
    html = coordinating.get(reverse("team")).content.decode()
    assert reverse("conversations:template_list") in html
