"""The person's way through the portal, page by page, with the test client."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from conversations.models import Message
from intake.choices import Channel, Risk, Verification
from intake.models import Case
from portal import codenames
from portal.models import Codename, PortalSession
from tests.portal.conftest import REQUEST, ask, sign_in

pytestmark = pytest.mark.django_db


def test_the_start_page_sets_no_cookie(client, portal_open):
    response = client.get(reverse("portal:start"))
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_a_request_becomes_an_unverified_portal_case_with_a_codename(client, portal_open):
    codename = ask(client)
    case = Case.objects.get()
    assert case.team == portal_open
    assert case.contact_channel == Channel.PORTAL
    assert case.verification == Verification.UNVERIFIED
    assert case.risk == Risk.HIGH
    assert case.alias == REQUEST["alias"]
    assert case.created_by is None
    # Russian by default: eight words from the Russian list.
    assert len(codename.split()) == codenames.word_count("ru") == 8
    assert all(word in codenames.words("ru") for word in codename.split())
    stored = Codename.objects.get()
    assert codename not in stored.digest and stored.digest.startswith("$argon2id$")


def test_english_codenames_have_seven_words(client, portal_open):
    response = client.post(reverse("portal:ask") + "?lang=en", REQUEST)
    page = client.get(response["Location"])
    assert page["Content-Language"] == "en"
    words = page.content.decode().split('class="codename" lang="en"><strong>')[1].split("<")[0]
    assert len(words.split()) == 7
    assert all(word in codenames.words("en") for word in words.split())


def test_a_request_sent_after_a_refusal_signs_the_person_in(client, portal_open):
    client.post(reverse("portal:ask"), {**REQUEST, "region": ""})  # refused: a session holds it
    response = client.post(reverse("portal:ask"), REQUEST)
    cookie = response.cookies["portal"]
    assert cookie.value and cookie["max-age"] == "" and "1970" not in cookie["expires"]
    assert client.get(response["Location"]).status_code == 200


def test_the_codename_is_shown_until_the_person_says_they_have_it(client, portal_open):
    codename = ask(client)
    again = client.get(reverse("portal:codename"))  # a page lost on the way: loaded again
    assert codename in again.content.decode()
    done = client.post(reverse("portal:codename"))
    assert done["Location"].startswith(reverse("portal:inbox"))
    gone = client.get(reverse("portal:codename"))
    assert gone.status_code == 302 and gone["Location"].startswith(reverse("portal:inbox"))


def test_what_a_session_holds_is_unreadable_without_its_cookie(client, portal_open):
    """Not even with the database and every server key: the codename waiting to be
    shown is sealed under a key derived from the cookie, which only the browser has."""
    from cryptography.fernet import Fernet, InvalidToken, MultiFernet
    from django.conf import settings

    codename = ask(client)
    (session,) = [s for s in PortalSession.objects.all() if s.held]
    sealed = session.held  # the column decrypted with the field keys
    assert codename not in sealed and codename.split()[0] not in sealed
    server_keys = MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEY])
    with pytest.raises(InvalidToken):
        server_keys.decrypt(sealed.encode())
    assert codename in client.get(reverse("portal:codename")).content.decode()


def test_a_refused_form_is_kept_only_as_far_as_its_fields_go(client, portal_open):
    data = {**REQUEST, "alias": "x" * 100_000, "region": "", "junk": "y" * 100_000}
    response = client.post(reverse("portal:ask"), data)
    page = client.get(response["Location"]).content.decode()
    assert 'class="error-summary"' in page
    assert "x" * 81 in page and "x" * 82 not in page and "yyyy" not in page


def test_a_session_ended_meanwhile_holds_nothing_and_nothing_fails(client, portal_open):
    ask(client)
    PortalSession.objects.all().delete()  # signed out in another tab, say
    response = client.post(reverse("portal:write"), {"body": ""})
    assert response.status_code == 302


def test_signing_in_with_the_codename_opens_the_request(client, portal_open):
    codename = ask(client)
    other = client.__class__()
    response = sign_in(other, codename.upper().replace(" ", "  "))
    assert response["Location"].startswith(reverse("portal:inbox"))
    assert other.get(response["Location"]).status_code == 200
    assert AuditEvent.objects.filter(action="sign_in", detail__via="portal").exists()


def test_a_wrong_codename_opens_nothing_and_says_so(client, portal_open):
    ask(client)
    other = client.__class__()
    response = sign_in(other, "совсем не тот кодовый набор слов вообще")
    assert response["Location"].startswith(reverse("portal:sign_in"))
    page = other.get(response["Location"])
    assert "codename" in page.content.decode().lower()
    assert 'role="alert"' in page.content.decode()
    assert other.get(reverse("portal:inbox")).status_code == 302


def test_the_person_writes_and_reads_the_answer(client, portal_open, caseworker):
    codename = ask(client)
    case = Case.objects.get()
    client.post(reverse("portal:write"), {"body": "Are you there?"})
    message = Message.objects.get()
    assert message.direction == Message.Direction.PERSON and not message.under_duress
    Message.objects.create(case=case, direction="team", body="Yes, we are.", by=caseworker)
    page = client.get(reverse("portal:inbox")).content.decode()
    assert "Yes, we are." in page and caseworker.username not in page
    assert Message.objects.filter(direction="team", read_at__isnull=False).count() == 1
    assert codename not in page


def test_sign_out_ends_the_session(client, portal_open):
    ask(client)
    client.post(reverse("portal:sign_out"))
    assert not PortalSession.objects.exclude(case=None).exists()
    assert client.get(reverse("portal:inbox")).status_code == 302


def test_the_portal_is_closed_without_a_team(client, settings, db):
    settings.PORTAL_TEAM = "no such team"
    response = client.post(reverse("portal:ask"), REQUEST)
    assert response.status_code == 503
    assert not Case.objects.exists()


def test_a_region_named_in_the_settings_routes_its_requests(client, settings, team_a, team_b):
    settings.PORTAL_TEAM = team_a.name
    settings.PORTAL_TEAMS_BY_REGION = {"dagestan": team_b.name}
    ask(client, region="dagestan")
    ask(client.__class__(), region="chechnya")
    assert dict(Case.objects.values_list("region", "team__name")) == {
        "dagestan": team_b.name,
        "chechnya": team_a.name,
    }


def test_signing_out_and_deleting_tell_the_browser_to_forget_the_site(client, portal_open):
    ask(client)
    response = client.post(reverse("portal:sign_out"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_no_cookie_outlives_the_browser(client, portal_open):
    form = client.get(reverse("portal:ask"))
    cookies = form.cookies
    assert "csrftoken" in cookies
    for morsel in cookies.values():
        assert not morsel["max-age"] and not morsel["expires"]
    codename = ask(client)
    assert codename
    session = client.cookies["portal"]
    assert not session["max-age"] and not session["expires"]


def test_a_region_mapped_to_no_team_falls_back_and_is_logged(client, settings, team_a, caplog):
    settings.PORTAL_TEAM = team_a.name
    settings.PORTAL_TEAMS_BY_REGION = {"dagestan": "Renamed team"}
    ask(client, region="dagestan")
    assert Case.objects.get().team == team_a
    assert "names no existing team" in caplog.text


def test_regions_alone_do_not_open_the_portal(client, settings, team_a):
    settings.PORTAL_TEAM = ""
    settings.PORTAL_TEAMS_BY_REGION = {"chechnya": team_a.name}
    assert client.get(reverse("portal:ask")).status_code == 200
    assert client.post(reverse("portal:ask"), REQUEST).status_code == 503
    assert not Case.objects.exists()


def test_the_codename_box_is_no_password_box(client, portal_open):
    page = client.get(reverse("portal:sign_in")).content.decode()
    box = (
        page.split('name="codename"')[0].rsplit("<input", 1)[1]
        + page.split('name="codename"')[1].split(">")[0]
    )
    assert 'type="text"' in box and 'autocomplete="off"' in box
