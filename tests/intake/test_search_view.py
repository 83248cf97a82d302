"""The search box: posted, never in a URL, audited by count, combined with the list's filters."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffSession
from accounts.sessions import SessionStore, stored_key
from audit.alerts import many_cases_in_an_hour
from audit.models import Action, AuditEvent
from intake.models import Case, SearchToken
from intake.search import MAX_QUERY_LENGTH
from intake.search_views import PENDING
from intake.status import Status
from tests.hostile import HOSTILE, assert_safe
from tests.intake.search_helpers import indexed_case, references, search, search_without_script

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = re.compile(rb'(?:href|action|formaction|src)="([^"]*)"')


@pytest.fixture
def desk(client, caseworker):
    client.force_login(caseworker)
    return client


@pytest.fixture
def ruslan(team_a):
    return indexed_case(team_a, alias="Ruslan Magomedov", contact_handle="@ruslan_m")


def search_events():
    return list(AuditEvent.objects.filter(action=Action.SEARCH))


def test_it_finds_the_case_and_keeps_what_was_typed_in_the_box(desk, ruslan):
    response = search(desk, "Руслан")
    assert response.status_code == 200
    assert references(response) == {ruslan.reference}
    assert 'value="Руслан"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_box_is_posted_with_a_token_and_kept_by_no_browser(desk, ruslan):
    page = desk.get(reverse("intake:case_list")).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" id="search"[^>]*>', page)
    assert form and form.group(1) == reverse("intake:case_search")
    assert 'autocomplete="off"' in form.group(0)
    box = re.search(r"<input[^>]*name=\"q\"[^>]*>", page).group(0)
    assert 'autocomplete="off"' in box and 'type="search"' in box
    assert 'spellcheck="false"' in box and f'maxlength="{MAX_QUERY_LENGTH}"' in box
    assert "csrfmiddlewaretoken" in page.split('id="search"', 1)[1].split("</form>", 1)[0]


def test_a_get_searches_nothing_and_carries_nothing_on(desk, ruslan):
    response = desk.get(reverse("intake:case_search") + "?q=Ruslan")
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:case_list")
    assert search_events() == []


def test_the_terms_reach_no_address_on_the_page(desk, team_a):
    marker = "Qxsearchmarker"
    for n in range(55):  # two pages: the pager's buttons are on it too
        indexed_case(team_a, alias=f"{marker} {n}")
    response = search(desk, marker)
    assert response.status_code == 200 and "Location" not in response
    addresses = URL_ATTRIBUTES.findall(response.content)
    assert addresses  # the page has its links and forms
    for address in addresses:
        assert b"qxsearchmarker" not in html.unescape(address.decode()).lower().encode()
    assert response.wsgi_request.get_full_path() == reverse("intake:case_search")


def test_a_search_is_one_audit_event_holding_only_the_count(desk, caseworker, ruslan, team_a):
    indexed_case(team_a, alias="Ruslan Petrov")
    search(desk, "Ruslan")
    [event] = search_events()
    assert event.detail == {"results": 2}
    assert event.actor == caseworker
    assert (event.object_type, event.object_ref) == ("", "")


def test_a_refused_search_is_not_audited(desk, ruslan):
    search(desk, "")
    search(desk, "x" * (MAX_QUERY_LENGTH + 1))
    assert search_events() == []


def test_it_combines_with_the_filters_and_the_sort(desk, caseworker, team_a):
    old_active = indexed_case(team_a, alias="Ruslan", created_at=timezone.now() - timedelta(days=9))
    new_active = indexed_case(team_a, alias="Ruslan", created_at=timezone.now())
    for case in (old_active, new_active):
        case.move_to(Status.VERIFYING, by=caseworker)
        case.move_to(Status.ACTIVE, by=caseworker)
    indexed_case(team_a, alias="Ruslan")  # new, filtered out
    indexed_case(team_a, alias="Aslan")  # active, not found
    response = search(desk, "Ruslan", status="active", sort="oldest")
    listed = [case.reference for case in response.context["page"].object_list]
    assert listed == [old_active.reference, new_active.reference]
    response = search(desk, "Ruslan", status="active", sort="newest")
    assert [case.reference for case in response.context["page"].object_list] == listed[::-1]
    assert search_events()[0].detail == {"results": 2}


def test_the_filters_of_the_list_go_into_its_search(desk, team_a):
    page = desk.get(reverse("intake:case_list") + "?status=active&sort=oldest").content.decode()
    form = page.split('id="search"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="status" value="active">' in form
    assert '<input type="hidden" name="sort" value="oldest">' in form


def test_the_pages_of_a_search_are_posted_buttons_keeping_terms_and_filters(desk, team_a):
    for n in range(60):
        indexed_case(team_a, alias=f"Ruslan {n}", risk=2 if n % 2 else 3)
    first = search(desk, "Ruslan", sort="oldest")
    content = first.content.decode()
    assert re.search(r'<button type="submit" form="search" name="page" value="2">', content)
    assert "?page=" not in content
    second = search(desk, "Ruslan", sort="oldest", page="2")
    assert len(second.context["page"].object_list) == 10
    assert references(first).isdisjoint(references(second))
    assert 'value="Ruslan"' in second.content.decode()
    # The page's form still holds the sort chosen: the next page posts it again.
    assert re.search(r'<option value="oldest" selected>', second.content.decode())


def test_a_refused_search_says_why_keeps_the_text_and_lists_the_cases(desk, ruslan):
    response = search(desk, "x" * (MAX_QUERY_LENGTH + 1))
    assert response.status_code == 400
    content = response.content.decode()
    assert f"at most {MAX_QUERY_LENGTH} characters" in content
    assert "Not searched. Please correct this:" in content
    assert "Not saved. Please correct this:" not in content
    assert ruslan.reference in content  # the list, unsearched


def test_an_empty_search_asks_for_something_to_search(desk, ruslan):
    response = search(desk, "   ")
    assert response.status_code == 400
    assert "Type an alias, a contact handle" in response.content.decode()


def test_text_with_nothing_searchable_in_it_is_refused_with_a_reason(desk, ruslan):
    response = search(desk, "🏳️‍🌈 \u200b")
    assert response.status_code == 400
    assert "Nothing to search for in that" in response.content.decode()


@pytest.mark.parametrize("send", [search, search_without_script], ids=["script", "no script"])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gets_a_clear_answer_and_changes_nothing(desk, ruslan, value, send):
    before = (Case.objects.count(), SearchToken.objects.count(), ruslan.alias)
    response = send(desk, value)
    assert_safe(response)
    assert response.status_code in (200, 400)
    if response.status_code == 400 and b"\x00" not in value.encode():
        # Where the person looks: the reason at the top and by the box.
        assert b'class="error-summary"' in response.content
    fresh = Case.objects.get(pk=ruslan.pk)
    assert (Case.objects.count(), SearchToken.objects.count(), fresh.alias) == before
    assert len(search_events()) == (1 if response.status_code == 200 else 0)


def test_a_hostile_filter_value_beside_a_search_is_no_500(desk, ruslan):
    for value in ["'; DROP TABLE intake_case; --", "99999999999999999999999999", "<script>"]:
        response = search(desk, "Ruslan", status=value, assignee=value, page=value)
        assert_safe(response)
    assert Case.objects.filter(pk=ruslan.pk).exists()


def test_searching_and_opening_the_results_raises_the_many_cases_alert(
    desk, caseworker, team_a, settings
):
    settings.CORRIDOR_AUDIT = {**settings.CORRIDOR_AUDIT, "CASES_PER_HOUR": 3}
    since = timezone.now() - timedelta(minutes=5)
    for n in range(5):
        indexed_case(team_a, alias=f"Ruslan {n}")
    results = search(desk, "Ruslan")
    assert len(results.context["page"].object_list) == 5
    # Searching alone opens no case: no alert yet.
    assert [a for a in many_cases_in_an_hour(since) if a.actor_id == caseworker.pk] == []
    for case in results.context["page"].object_list:
        assert desk.get(case.page_url).status_code == 200
    [alert] = [a for a in many_cases_in_an_hour(since) if a.actor_id == caseworker.pk]
    assert "5" in alert.detail


def test_the_header_links_to_the_search_on_every_staff_page(desk):
    page = desk.get(reverse("reminders:notification_list")).content.decode()
    assert f'href="{reverse("intake:case_list")}#search" data-search-link' in page


# Without the script, the browser posts the form itself: post, redirect, get.


def test_without_the_script_a_search_redirects_to_its_results(desk, ruslan):
    response = desk.post(reverse("intake:case_search"), {"q": "Qxheldmarker Руслан"})
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:case_search")
    # Held for that one GET, encrypted: the session holds no term.
    session = desk.session
    assert PENDING in session
    stored = StaffSession.objects.get(session_key=stored_key(desk.session.session_key)).session_data
    decoded = repr(SessionStore().decode(stored))
    assert "qxheldmarker" not in (stored + decoded).lower() and "Руслан" not in decoded
    assert search_events() == []
    page = desk.get(response["Location"])
    assert page.status_code == 200
    assert 'value="Qxheldmarker Руслан"' in page.content.decode()
    assert search_events()[0].detail == {"results": 0}
    # Read once: the address alone (a reload, the back button) searches nothing again.
    again = desk.get(reverse("intake:case_search"))
    assert again.status_code == 302 and again["Location"] == reverse("intake:case_list")
    assert len(search_events()) == 1


def test_without_the_script_results_pages_and_filters_go_the_same_way(desk, team_a):
    for n in range(60):
        indexed_case(team_a, alias=f"Ruslan {n}")
    first = search_without_script(desk, "Ruslan", sort="oldest")
    second = search_without_script(desk, "Ruslan", sort="oldest", page="2")
    assert first.redirect_chain == [(reverse("intake:case_search"), 302)]
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10
    assert references(first).isdisjoint(references(second))


def test_without_the_script_a_refused_search_says_why_at_the_top(desk, ruslan):
    response = search_without_script(desk, "x" * (MAX_QUERY_LENGTH + 1))
    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="error-summary"' in content and "Not searched. Please correct this:" in content
    assert search_events() == []


def test_a_huge_text_posted_without_the_script_is_held_cut_and_refused(desk, ruslan):
    response = desk.post(reverse("intake:case_search"), {"q": "x" * 100_000})
    assert response.status_code == 302
    assert len(desk.session[PENDING]) < 2000  # ciphertext of 201 characters, not 100,000
    page = desk.get(reverse("intake:case_search"))
    assert page.status_code == 400
    assert f"at most {MAX_QUERY_LENGTH} characters" in page.content.decode()


def test_a_search_held_under_a_retired_key_is_dropped(desk, ruslan):
    from cryptography.fernet import Fernet

    session = desk.session
    session[PENDING] = Fernet(Fernet.generate_key()).encrypt(b'{"q": ["Ruslan"]}').decode()
    session.save()
    response = desk.get(reverse("intake:case_search"))
    assert response.status_code == 302 and response["Location"] == reverse("intake:case_list")
    assert PENDING not in desk.session
    assert search_events() == []
