"""The statistics page: coordinators only, charts that hide what the tables hide, no case data."""

import re

import pytest
from django.urls import reverse

from tests.access import outcomes
from tests.stats.conftest import MARKERS
from tests.stats.test_export import SLUGS

URL = reverse("stats:overview")
EXPORT = reverse("stats:export", args=["regions"])

# fmt: off
#                           anon   oper cw   coord outsider partner auditor admin
EXPECTED = {
    "overview":           ["login", 404, 404, 200, 200,     404,    404,    404],
    "export":             ["login", 404, 404, 200, 200,     404,    404,    404],
}
# fmt: on
# The URL names this matrix gives a row (tests/test_every_view_has_a_row.py).
COVERS = {f"stats:{view}" for view in EXPECTED}


@pytest.mark.parametrize(
    ("view", "role", "outcome"),
    [
        pytest.param(view, role, outcome, id=f"{view}-{role}")
        for view, expected in EXPECTED.items()
        for role, outcome in outcomes(expected)
    ],
)
def test_only_coordinators_see_statistics(client, personas, case, view, role, outcome):
    if role != "anonymous":
        client.force_login(personas[role])
    response = client.get(URL if view == "overview" else EXPORT)
    if outcome == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == outcome
    if outcome == 200:
        assert "no-store" in response["Cache-Control"]


def test_a_refused_export_is_not_audited(client, personas, case):
    from audit.models import AuditEvent

    for role in ("operator", "caseworker", "partner", "auditor", "admin"):
        client.force_login(personas[role])
        client.get(EXPORT)
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_nav_links_statistics_for_coordinators_only(client, coordinator, caseworker):
    client.force_login(coordinator)
    assert f'href="{URL}"' in client.get(reverse("reminders:dashboard")).content.decode()
    client.force_login(caseworker)
    assert f'href="{URL}"' not in client.get(reverse("reminders:dashboard")).content.decode()


def test_the_page_shows_every_table_and_hides_small_counts(client, coordinator, marked):
    client.force_login(coordinator)
    response = client.get(URL)
    page = response.content.decode()
    for slug in SLUGS:
        assert f'id="{slug}"' in page
        assert reverse("stats:export", args=[slug]) in page
    # Dagestan's 2 is hidden in the table and in the chart.
    dagestan = re.search(r'<th scope="row">Dagestan</th><td class="([^"]*)">([^<]*)</td>', page)
    assert dagestan.groups() == ("num hidden-count", "&lt;5")
    assert 'stroke-dasharray="3 2"' in page


def test_charts_are_accessible_images_without_style_attributes(client, coordinator, marked):
    client.force_login(coordinator)
    page = client.get(URL).content.decode()
    charts = re.findall(r"<svg[^>]*>", page)
    assert len(charts) == 9  # every table but the two-way one
    for svg in charts:
        assert 'role="img"' in svg and "aria-labelledby" in svg
    for ids in re.findall(r'aria-labelledby="([^"]+)"', page):
        for id_ in ids.split():
            assert f'id="{id_}"' in page
    assert page.count("<title id=") == 9 and page.count("<desc id=") == 9
    # The content security policy forbids inline styles and scripts.
    assert " style=" not in page and "<script>" not in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")


def test_no_case_data_reaches_the_page(client, coordinator, marked):
    client.force_login(coordinator)
    page = client.get(URL).content.decode()
    for marker in [*MARKERS, "STATS-LOCATION", "STATS-PARTNER-NAME"]:
        assert marker not in page
    for case in marked:
        assert case.reference not in page
        for referral in case.referrals.all():
            assert referral.reference not in page


def test_an_empty_organisation_gets_a_plain_page(client, coordinator):
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert b"no requests from completed quarters yet" in response.content


def test_the_threshold_is_a_setting(client, coordinator, marked, settings):
    settings.CORRIDOR_STATS_THRESHOLD = 3
    client.force_login(coordinator)
    page = client.get(URL).content.decode()
    assert "&lt;3" in page and "&lt;5" not in page
