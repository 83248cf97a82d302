import pytest
from django.urls import reverse

from intake.models import Case
from retention.models import RetiredCaseCount


def url(case):
    return reverse("retention:case_forget", args=[case.reference])


def test_a_coordinator_forgets_a_person_after_confirming(client, coordinator, case, caplog):
    caplog.set_level("INFO", logger="retention")
    client.force_login(coordinator)
    page = client.get(url(case))
    assert page.status_code == 200
    assert b"cannot be undone" in page.content
    response = client.post(url(case), {"reason": "person_asked", "confirm": case.reference.lower()})
    assert response["Location"] == reverse("intake:case_list")
    assert not Case.objects.filter(pk=case.pk).exists()
    assert RetiredCaseCount.objects.get(dimension="outcome").value == "forgotten"
    assert f"purged case {case.reference} (forgotten: person_asked)" in caplog.text
    assert case.alias not in caplog.text


def test_a_wrong_confirmation_purges_nothing(client, coordinator, case):
    client.force_login(coordinator)
    response = client.post(url(case), {"reason": "person_asked", "confirm": "XXXX-XXXX-XXXX"})
    assert response.status_code == 400
    assert b"not this case&#x27;s reference" in response.content
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_case_on_legal_hold_is_not_forgotten(client, coordinator, case):
    Case.objects.filter(pk=case.pk).update(legal_hold=True)
    client.force_login(coordinator)
    response = client.post(url(case), {"reason": "person_asked", "confirm": case.reference})
    assert response.status_code == 302
    assert Case.objects.filter(pk=case.pk).exists()


def test_only_a_coordinator_of_the_team_may(client, caseworker, outsider, operator, case):
    for user, status in ((caseworker, 403), (operator, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(url(case)).status_code == status
        response = client.post(url(case), {"reason": "person_asked", "confirm": case.reference})
        assert response.status_code == status
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_coordinator_sets_and_lifts_legal_hold(client, coordinator, caseworker, case):
    hold_url = reverse("intake:legal_hold_set", args=[case.reference])
    client.force_login(caseworker)
    assert client.post(hold_url, {"hold": "on"}).status_code == 403
    client.force_login(coordinator)
    client.post(hold_url, {"hold": "on"})
    assert Case.objects.get(pk=case.pk).legal_hold
    page = client.get(reverse("intake:case_detail", args=[case.reference])).content.decode()
    assert "never purged" in page and "Legal hold: on" in page
    client.post(hold_url, {"hold": "off"})
    assert not Case.objects.get(pk=case.pk).legal_hold


@pytest.mark.parametrize("role", ["anonymous", "partner", "auditor", "admin"])
def test_no_one_outside_the_team_can_forget(client, personas, case, role):
    if role != "anonymous":
        client.force_login(personas[role])
    response = client.post(url(case), {"reason": "person_asked", "confirm": case.reference})
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert Case.objects.filter(pk=case.pk).exists()
