from django.urls import reverse


def test_pages_forbid_foreign_scripts_framing_and_sniffing(client, caseworker, case):
    client.force_login(caseworker)
    response = client.get(reverse("intake:case_detail", args=[case.reference]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_login_page_has_the_policy_too(client, db):
    response = client.get(reverse("login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_session_and_csrf_cookies_are_strict(client, caseworker, settings):
    client.post(
        reverse("login"),
        {"username": caseworker.username, "password": "a long enough test passphrase"},
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert not cookie["expires"]  # ends when the browser closes
