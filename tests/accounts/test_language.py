"""The language switch: per account across devices, a cookie before sign-in, no open redirect."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

URL = reverse("language_set")
COOKIE = settings.LANGUAGE_COOKIE_NAME
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
RUSSIAN_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "ru-RU,ru;q=0.9"}


def signed_in(user) -> Client:
    client = Client(**ENGLISH_BROWSER)
    client.force_login(user)
    return client


def page_language(response) -> str:
    assert response.status_code == 200
    return response["Content-Language"]


class TestSignedIn:
    def test_choosing_russian_sticks_to_the_account_on_every_device(self, caseworker):
        desk = signed_in(caseworker)
        response = desk.post(URL, {"language": "ru", "next": "/cases/"})
        assert response.status_code == 302
        assert response["Location"] == "/cases/"
        caseworker.refresh_from_db()
        assert caseworker.language == "ru"
        page = desk.get(reverse("intake:case_list"))
        assert page_language(page) == "ru"
        assert '<html lang="ru">' in page.content.decode()

        # Another device: no cookie, an English browser, a new session.
        phone = signed_in(caseworker)
        assert COOKIE not in phone.cookies
        assert page_language(phone.get(reverse("intake:case_list"))) == "ru"

    def test_the_account_wins_over_an_old_cookie_and_refreshes_it(self, caseworker):
        caseworker.language = "ru"
        caseworker.save()
        client = signed_in(caseworker)
        client.cookies[COOKIE] = "en"
        response = client.get(reverse("intake:case_list"))
        assert page_language(response) == "ru"
        # So the sign-in page after a timed-out session speaks it too.
        assert response.cookies[COOKIE].value == "ru"

    def test_choosing_english_back(self, caseworker):
        caseworker.language = "ru"
        caseworker.save()
        client = signed_in(caseworker)
        assert page_language(client.get(reverse("intake:case_list"))) == "ru"
        response = client.post(URL, {"language": "en", "next": "/cases/"})
        assert response.cookies[COOKIE].value == "en"
        caseworker.refresh_from_db()
        assert caseworker.language == "en"
        client = Client(**RUSSIAN_BROWSER)
        client.force_login(caseworker)
        assert page_language(client.get(reverse("intake:case_list"))) == "en"

    def test_following_the_browser_again(self, caseworker):
        caseworker.language = "ru"
        caseworker.save()
        client = signed_in(caseworker)
        response = client.post(URL, {"language": "", "next": "/account/"})
        assert response["Location"] == "/account/"
        assert response.cookies[COOKIE]["max-age"] == 0  # deleted
        caseworker.refresh_from_db()
        assert caseworker.language == ""
        assert page_language(client.get(reverse("intake:case_list"))) == "en"
        client.defaults.update(RUSSIAN_BROWSER)
        assert page_language(client.get(reverse("intake:case_list"))) == "ru"

    def test_one_users_choice_is_not_anothers(self, caseworker, coordinator):
        signed_in(caseworker).post(URL, {"language": "ru", "next": "/"})
        coordinator.refresh_from_db()
        assert coordinator.language == ""
        assert page_language(signed_in(coordinator).get(reverse("intake:case_list"))) == "en"

    @pytest.mark.parametrize("code", ["de", "ru-xx", "EN", "../ru", "x" * 200])
    def test_it_refuses_a_language_it_does_not_offer(self, caseworker, code):
        client = signed_in(caseworker)
        response = client.post(URL, {"language": code, "next": "/cases/"})
        assert response.status_code == 400
        assert COOKIE not in response.cookies
        caseworker.refresh_from_db()
        assert caseworker.language == ""

    def test_it_refuses_a_post_without_a_language(self, caseworker):
        caseworker.language = "ru"
        caseworker.save()
        response = signed_in(caseworker).post(URL, {"next": "/cases/"})
        assert response.status_code == 400
        caseworker.refresh_from_db()
        assert caseworker.language == "ru"

    def test_it_changes_nothing_on_get(self, caseworker):
        response = signed_in(caseworker).get(URL, {"language": "ru"})
        assert response.status_code == 405
        caseworker.refresh_from_db()
        assert caseworker.language == ""

    def test_the_account_page_offers_the_choice(self, caseworker):
        caseworker.language = "ru"
        caseworker.save()
        content = signed_in(caseworker).get(reverse("account")).content.decode()
        assert f'action="{URL}"' in content
        assert '<option value="ru" selected>' in content
        assert "Как в браузере" in content  # "follow the browser", in Russian

    def test_the_switch_works_before_the_second_factor(self, caseworker):
        """The code page should already speak the person's language."""
        client = Client(**ENGLISH_BROWSER)
        client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
        response = client.post(URL, {"language": "ru", "next": reverse("two_factor_setup")})
        assert response["Location"] == reverse("two_factor_setup")
        page = client.get(reverse("two_factor_setup"))
        assert "Настройка двухфакторного входа" in page.content.decode()
        # Switching language did not pass the second factor.
        assert client.get(reverse("intake:case_list"))["Location"] == reverse("two_factor_setup")


class TestRedirect:
    @pytest.mark.parametrize(
        "next_url",
        [
            "https://evil.example/phish",
            "//evil.example/phish",
            "/\\evil.example",
            "javascript:alert(1)",
            "http://testserver.evil.example/",
            "",
        ],
    )
    def test_it_never_leaves_the_site(self, client, caseworker, next_url):
        client.force_login(caseworker)
        response = client.post(URL, {"language": "ru", "next": next_url})
        assert response.status_code == 302
        assert response["Location"] == "/"

    def test_it_keeps_a_local_page_and_its_query(self, client, caseworker):
        client.force_login(caseworker)
        response = client.post(URL, {"language": "ru", "next": "/cases/?status=new&page=2"})
        assert response["Location"] == "/cases/?status=new&page=2"


class TestAnonymous:
    def test_the_sign_in_page_follows_the_browser(self, db):
        assert page_language(Client(**ENGLISH_BROWSER).get(reverse("login"))) == "en"
        assert page_language(Client(**RUSSIAN_BROWSER).get(reverse("login"))) == "ru"

    def test_the_sign_in_page_switches_by_cookie(self, db):
        client = Client(**ENGLISH_BROWSER)
        page = client.get(reverse("login")).content.decode()
        assert "Sign in" in page and "Войти" not in page
        response = client.post(URL, {"language": "ru", "next": reverse("login")})
        assert response.status_code == 302
        assert response["Location"] == reverse("login")
        page = client.get(reverse("login")).content.decode()
        assert "Войти" in page and "Sign in" not in page
        client.post(URL, {"language": "en", "next": reverse("login")})
        assert "Sign in" in client.get(reverse("login")).content.decode()

    def test_the_cookie_is_as_guarded_as_the_sessions(self, db, settings):
        response = Client().post(URL, {"language": "ru", "next": "/login/"})
        cookie = response.cookies[COOKIE]
        assert cookie.value == "ru"
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"
        assert cookie["secure"] == ("" if not settings.SESSION_COOKIE_SECURE else True)
        assert settings.LANGUAGE_COOKIE_SECURE == settings.SESSION_COOKIE_SECURE

    def test_the_switch_needs_a_csrf_token(self, db):
        client = Client(enforce_csrf_checks=True)
        response = client.post(URL, {"language": "ru", "next": "/login/"})
        assert response.status_code == 403
        assert COOKIE not in response.cookies

    def test_the_form_as_served_works_with_csrf_checks_on(self, db):
        client = Client(enforce_csrf_checks=True, **ENGLISH_BROWSER)
        page = client.get(reverse("login")).content.decode()
        form = page[page.index(f'action="{URL}"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        next_url = re.search(r'name="next" value="([^"]+)"', form).group(1)
        response = client.post(
            URL, {"csrfmiddlewaretoken": token, "next": next_url, "language": "ru"}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("login")
        assert "Войти" in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize("page", ["login", "intake:case_list", "account"])
def test_the_switch_is_on_the_page_and_usable_without_script(client, caseworker, page):
    if page != "login":
        client.force_login(caseworker)
    content = client.get(reverse(page)).content.decode()
    assert f'<form method="post" action="{URL}" class="lang" aria-label="Language">' in content
    assert 'name="csrfmiddlewaretoken"' in content
    # Each language is named in itself and marked as such for screen readers.
    assert 'value="en" lang="en" aria-pressed="true">English</button>' in content
    assert 'value="ru" lang="ru" aria-pressed="false">Русский</button>' in content
