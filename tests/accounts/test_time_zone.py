"""Times are shown in the user's own zone, named where it matters; stored in UTC."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.models import CheckIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkin(case, caseworker):
    due = (timezone.now() + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    return CheckIn.objects.create(case=case, due_at=due, set_by=caseworker)


def page(client, case) -> str:
    return client.get(reverse("intake:case_detail", args=[case.reference])).content.decode()


def test_a_check_in_deadline_is_shown_in_the_organisations_zone_until_one_is_chosen(
    client, caseworker, case, checkin, settings
):
    assert settings.TIME_ZONE == "UTC"
    client.force_login(caseworker)
    assert f"{checkin.due_at:%Y-%m-%d} 12:00 UTC" in page(client, case)


def test_a_chosen_zone_moves_the_shown_time_and_names_the_zone(client, caseworker, case, checkin):
    client.force_login(caseworker)
    response = client.post(reverse("time_zone_set"), {"time_zone": "Asia/Dushanbe"})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.time_zone == "Asia/Dushanbe"
    assert f"{checkin.due_at:%Y-%m-%d} 17:00 +05" in page(client, case)
    checkin.refresh_from_db()
    assert checkin.due_at.utcoffset() == timedelta(0)  # stored in UTC as before


def test_a_check_in_typed_in_the_users_zone_is_stored_in_utc(client, caseworker, case):
    caseworker.time_zone = "Europe/Moscow"
    caseworker.save()
    client.force_login(caseworker)
    local = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%d")
    client.post(reverse("intake:checkin_set", args=[case.reference]), {"due_at": f"{local}T15:00"})
    due = CheckIn.objects.get().due_at.astimezone(UTC)
    assert (due.hour, due.minute) == (12, 0)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "<script>", "' OR 1=1", "x" * 300, "UTC\u202e"])
def test_an_unknown_zone_is_refused_and_changes_nothing(client, caseworker, zone):
    client.force_login(caseworker)
    response = client.post(reverse("time_zone_set"), {"time_zone": zone})
    assert response.status_code == 400
    assert b"error-summary" in response.content
    caseworker.refresh_from_db()
    assert caseworker.time_zone == ""


def test_a_zone_the_system_no_longer_knows_falls_back_to_the_organisations(
    client, caseworker, case, checkin
):
    caseworker.time_zone = "Gone/Away"
    caseworker.save()
    client.force_login(caseworker)
    assert "12:00 UTC" in page(client, case)
