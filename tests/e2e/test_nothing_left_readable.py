"""Lock now, and a page left open past the idle limit, leave nothing to read."""

import pytest

from accounts.models import Role
from tests.e2e.test_journey import Person, Shots
from tests.factories import CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
ALIAS = "Marker-Heron"


@pytest.fixture
def caseworker_with_case():
    team = TeamFactory(name="Hotline")
    user = UserFactory(username="caseworker-e2e", role=Role.CASEWORKER, teams=[team])
    return user, CaseFactory(team=team, alias=ALIAS)


def open_case(browser, live_server, user, case, name, *, then=lambda: None):
    """Sign in, do `then`, open the case page."""
    person = Person(browser, live_server, user, viewport="phone", language="en", shots=Shots(name))
    person.sign_in()
    then()
    person.page.goto(f"/cases/{case.reference}/")
    assert ALIAS in person.page.content()
    return person


def test_lock_now_leaves_nothing_on_screen_or_behind_the_back_button(
    browser, live_server, caseworker_with_case
):
    person = open_case(browser, live_server, *caseworker_with_case, "lock-now")
    person.submit("form.signout")
    assert "/login/" in person.page.url and ALIAS not in person.page.content()
    person.page.go_back()
    person.page.wait_for_load_state()
    assert ALIAS not in person.page.content()
    person.shot("after-back")
    person.close()


def test_a_page_left_open_past_the_idle_limit_empties_itself(
    browser, live_server, caseworker_with_case, settings
):
    def idle_soon():
        # Only once signed in: on a busy machine the two sign-in steps alone took 5 s.
        settings.SESSION_IDLE_TIMEOUT = 5

    person = open_case(browser, live_server, *caseworker_with_case, "idle", then=idle_soon)
    person.page.wait_for_selector(".idle-warning[role=alert]", timeout=10_000)
    person.shot("warned")
    person.page.wait_for_url("**/login/", timeout=15_000)
    assert ALIAS not in person.page.content()
    person.shot("closed")
    person.close()
