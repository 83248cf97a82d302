"""Security headers on every response of the app, walking the URL conf."""

import re
import subprocess
import sys

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

SAMPLES = {
    "reference": "AAAA-BBBB-CCCC",
    "partner": "PAAAABBBBC",
    "referral": "RAAA-BBBB-CCCCC",
    "str": "acknowledge",
    "path": "x",
}


def walk(patterns, prefix="", samples=SAMPLES):
    """Every URL of the conf, each parameter filled by its converter's sample (else "1")."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route, samples)
        elif isinstance(entry, URLPattern):
            filled = re.sub(
                r"<(?:(\w+):)?\w+>", lambda m: samples.get(m.group(1) or "str", "1"), route
            )
            yield "/" + filled.lstrip("^").replace("\\Z", "").replace("$", "")


URLS = sorted({u for u in walk(get_resolver().url_patterns) if "(?P" not in u})


@pytest.mark.parametrize("url", URLS)
def test_headers(client, caseworker, url):
    from ops.tasks import heartbeat

    heartbeat()  # so /health/ answers 200, as every other page here
    client.force_login(caseworker)
    response = client.get(url)
    assert response.status_code < 500
    policy = response.headers.get("Content-Security-Policy", "")
    if response.get("Content-Type", "").startswith("text/html"):
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_walk_covers_the_case_pages():
    assert "/cases/AAAA-BBBB-CCCC/" in URLS and "/partner/" in URLS


def test_the_site_title_is_configurable(client, db, settings):
    settings.SITE_TITLE = "Garden club"
    page = client.get("/login/").content.decode()
    assert "Garden club" in page and "Corridor" not in page


def test_the_error_pages_name_the_site_title_only(client, caseworker, settings):
    settings.SITE_TITLE = "Garden club"
    client.force_login(caseworker)
    response = client.get("/cases/AAAA-BBBB-CCCC/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Garden club" in page and "Corridor" not in page


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "x" * 60 + "production-like-secret-key-for-the-check",
        "FIELD_ENCRYPTION_KEYS": "ZmFrZS1rZXktZm9yLWRlcGxveS1jaGVjay0xMjM0NTY=",
        "BLIND_INDEX_KEY": "b" * 40,
        "DJANGO_ALLOWED_HOSTS": "corridor.example.org",
        "SESSION_COOKIE_SECURE": "true",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "DJANGO_BEHIND_PROXY": "true",
        "CORRIDOR_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
