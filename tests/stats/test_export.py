"""CSV downloads: after a recent password, audited once, hidden cells as "<5", nothing else."""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import verify_chain
from stats.export import safe, table_csv
from stats.tables import Cell, Row, Table
from tests.accounts.test_reauth import stale
from tests.factories import PASSWORD
from tests.stats import history
from tests.stats.conftest import MARKERS

SLUGS = [
    "regions",
    "quarters",
    "regions-by-quarter",
    "threats",
    "needs",
    "risk",
    "outcomes",
    "referrals-by-service",
    "referrals-by-partner-kind",
    "time-to-safety",
]


def url(slug):
    return reverse("stats:export", args=[slug])


def parse(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def regions(team_a):
    """Chechnya 9, Dagestan 2, Ingushetia 6: Dagestan is small, Ingushetia hides it."""
    for region, n in (("chechnya", 9), ("dagestan", 2), ("ingushetia", 6)):
        for _ in range(n):
            history.request(team=team_a, region=region)


def test_a_table_downloads_as_csv_with_hidden_cells_as_markers(client, coordinator, regions):
    client.force_login(coordinator)
    response = client.get(url("regions"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="statistics-regions-to-')
    assert "corridor" not in disposition.lower()
    assert "no-store" in response["Cache-Control"]
    rows = {row[0]: row[1:] for row in parse(response)}
    assert rows["Region"] == ["Requests"]
    assert rows["Chechnya"] == ["9"] and rows["Tajikistan"] == ["0"]
    assert rows["Dagestan"] == ["<5"] and rows["Ingushetia"] == ["<5"]
    assert rows["Total"] == ["17"]
    # Neither hidden number is anywhere in the file.
    cells = [cell for row in rows.values() for cell in row]
    assert "2" not in cells and "6" not in cells


def test_every_download_is_audited_once_naming_the_table_not_its_numbers(
    client, coordinator, regions
):
    client.force_login(coordinator)
    client.get(url("regions"))
    events = AuditEvent.objects.filter(action="export")
    assert events.count() == 1
    event = events.get()
    assert (event.actor, event.object_type, event.object_ref) == (
        coordinator,
        "statistics",
        "regions",
    )
    assert set(event.detail) == {"format", "through"}
    assert verify_chain().ok
    client.get(url("risk"))
    assert list(events.order_by("id").values_list("object_ref", flat=True)) == ["regions", "risk"]


def test_a_stale_password_is_asked_for_again_before_anything_is_exported(
    client, coordinator, regions
):
    client.force_login(coordinator)
    stale(client)
    response = client.get(url("regions"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reauth')}?next={url('regions').replace('/', '%2F')}"
    assert not AuditEvent.objects.filter(action="export").exists()
    back = client.post(response["Location"], {"password": PASSWORD})
    assert back["Location"] == url("regions")
    assert client.get(url("regions")).status_code == 200
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_an_unknown_table_is_not_found_and_not_audited(client, coordinator):
    client.force_login(coordinator)
    assert client.get(url("everything")).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_no_case_data_and_no_formula_in_any_download(client, coordinator, marked):
    client.force_login(coordinator)
    for slug in SLUGS:
        response = client.get(url(slug))
        assert response.status_code == 200, slug
        text = response.content.decode()
        for marker in [*MARKERS, "STATS-LOCATION", "STATS-PARTNER-NAME"]:
            assert marker not in text, (slug, marker)
        for case in marked:
            assert case.reference not in text
        for row in parse(response):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), (slug, cell)
    assert AuditEvent.objects.filter(action="export").count() == len(SLUGS)


def test_a_cell_that_would_run_as_a_formula_is_defused():
    table = Table(
        "x",
        "=HYPERLINK(1)",
        ("+label", "@count"),
        (Row("-1", (Cell("=cmd|' /C calc'!A0"), Cell("5", 5))),),
    )
    rows = list(csv.reader(io.StringIO(table_csv(table)[1:])))
    assert rows == [["'+label", "'@count"], ["'-1", "'=cmd|' /C calc'!A0", "5"]]
    assert safe("<5") == "<5" and safe("\tx") == "'\tx"
