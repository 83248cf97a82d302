"""Every URL name of every URLconf has a row in an access matrix, so a new view
(or one dropped from its matrix) cannot go untested against every persona."""

import importlib

from django.urls import URLPattern, URLResolver, get_resolver

# The modules holding access matrices; each says which URL names its rows cover.
MATRIX_MODULES = [
    "tests.intake.test_access_matrix",
    "tests.intake.test_search_access_matrix",
    "tests.intake.test_transfer_views",
    "tests.referrals.test_access_matrix",
    "tests.evacuations.test_access_matrix",
    "tests.drafts.test_access_matrix",
    "tests.network.test_access_matrix",
    "tests.conversations.test_access_matrix",
    "tests.reminders.test_access_matrix",
    "tests.accounts.test_access_matrix",
    "tests.stats.test_overview",
    "tests.portal.test_access_matrix",
    "tests.evidence.test_access_matrix",
    "tests.evidence.test_dossier",
]
# Views with no object and no persona-dependent outcome to put in a row, each with why.
NOT_PER_OBJECT = {
    "health": "public by design, for the load balancer (tests/ops/test_health.py)",
    "login": "the public sign-in page",
    "logout": "ends one's own session, whoever one is",
    "home": "sends each role to its work (test_home_sends_each_role_to_its_work)",
    "session_alive": "one's own session's idle clock",
    "two_factor_setup": "one's own second factor (tests/accounts/test_two_factor.py)",
    "two_factor_verify": "one's own second factor (tests/accounts/test_two_factor.py)",
    "two_factor_replace": "one's own second factor (tests/accounts/test_two_factor.py)",
    "reauth": "one's own password, again (tests/accounts/test_reauth.py)",
    "account": "one's own account page",
    "password_change": "one's own password",
    "language_set": "one's own language (tests/accounts/test_language.py)",
    "time_zone_set": "one's own time zone (tests/accounts/test_time_zone.py)",
    "duress_password_set": "one's own duress password (tests/accounts/test_coercion.py)",
    "duress_password_remove": "one's own duress password (tests/accounts/test_coercion.py)",
    "travel_set": "one's own travel mode (tests/accounts/test_coercion.py)",
    "wake": "one's own travel mode, once approved (tests/accounts/test_coercion.py)",
}
# Django's admin site: its own permission checks, sampled in ADMIN_PAGES
# (tests/intake/test_access_matrix.py) and tests/audit/test_admin_views.py.
ADMIN_NAMESPACE = "admin:"


def url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def covered() -> set[str]:
    names = set()
    for module in MATRIX_MODULES:
        names |= importlib.import_module(module).COVERS
    return names


def test_every_url_name_has_a_row_in_an_access_matrix():
    every = set(url_names(get_resolver().url_patterns))
    missing = {
        name
        for name in every - covered() - NOT_PER_OBJECT.keys()
        if not name.startswith(ADMIN_NAMESPACE)
    }
    assert not missing, f"no access-matrix row for: {sorted(missing)}"


def test_every_row_and_exception_names_a_real_view():
    """A row for a view that was renamed or removed covers nothing."""
    every = set(url_names(get_resolver().url_patterns))
    assert covered() - every == set()
    assert NOT_PER_OBJECT.keys() - every == set()
    assert not covered() & NOT_PER_OBJECT.keys()
