"""Signing in and reaching the content work with the keyboard alone."""

import pytest
from django_otp.oath import TOTP

from accounts.models import Role
from tests.e2e.test_journey import Person, Shots
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def tab_to(page, selector: str, most: int = 15) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_sign_in_and_skip_to_content_with_the_keyboard_alone(browser, live_server):
    user = UserFactory(username="keys-e2e", role=Role.CASEWORKER, teams=[TeamFactory()])
    person = Person(browser, live_server, user, viewport="desktop", language="en",
                    shots=Shots("keyboard"))  # fmt: skip
    page = person.page
    page.goto("/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(user.username)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    device = person.device
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    tab_to(page, "input[name=token]")
    page.keyboard.type(f"{token:06d}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/dashboard/" in page.url
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('a.skip')")
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    person.shot("skipped-to-content")
    person.close()
