"""Forms work under Referrer-Policy: no-referrer, and cross-site posts still fail."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def browser_client(caseworker, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    page = client.get(reverse("intake:case_detail", args=[case.reference]))
    token = page.context["csrf_token"]
    url = reverse("intake:note_add", args=[case.reference])
    return lambda **headers: client.post(url, {"body": "A note.", "csrfmiddlewaretoken": token},
                                         **headers)  # fmt: skip


@pytest.mark.parametrize("secure", [False, True])
def test_a_same_origin_post_with_an_opaque_origin_passes(browser_client, settings, secure):
    settings.SECURE_SSL_REDIRECT = False
    response = browser_client(
        HTTP_ORIGIN="null",
        HTTP_SEC_FETCH_SITE="same-origin",
        **({"secure": True} if secure else {}),
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "same-origin"},
    ],
)
def test_anything_else_is_refused(browser_client, headers):
    assert browser_client(**headers).status_code == 403


def test_removing_csrf_protection_fails_the_checks(settings):
    from ops.csrf import csrf_middleware_check

    assert csrf_middleware_check(None) == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "Csrf" not in m]
    assert [e.id for e in csrf_middleware_check(None)] == ["ops.E001"]
