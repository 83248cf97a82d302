"""The case page with links and warnings: what it shows, and what it costs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from network.models import Cause, Exposure
from tests.factories import CaseFactory
from tests.network.conftest import make_link


def queries(client, case) -> int:
    url = reverse("intake:case_detail", args=[case.reference])
    client.get(url)  # the first page of a session writes it once; count a later one
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_case_page_costs_the_same_however_many_links_and_warnings(worker, team_a):
    small, large = CaseFactory.create_batch(2, team=team_a)
    make_link(small, CaseFactory(team=team_a))
    Exposure.objects.create(case=small, source=CaseFactory(team=team_a), cause=Cause.LINKED)
    for _ in range(6):
        other = CaseFactory(team=team_a)
        make_link(large, other)
        Exposure.objects.create(case=large, source=other, cause=Cause.CONTACTS)
    Exposure.objects.create(case=large, cause=Cause.ELSEWHERE)
    assert queries(worker, small) == queries(worker, large)


def test_an_operator_reads_the_warnings_and_links_but_gets_no_forms(client, operator, case, other):
    make_link(case, other)
    Exposure.objects.create(case=case, source=other, cause=Cause.LINKED)
    client.force_login(operator)
    text = client.get(reverse("intake:case_detail", args=[case.reference])).content.decode()
    assert "had their phone taken" in text and other.reference in text
    assert 'name="how"' not in text and 'name="reference"' not in text
    assert "network/links/remove" not in text and "/links/remove/" not in text


def test_only_a_coordinator_is_offered_the_merge(client, caseworker, coordinator, case):
    url = reverse("intake:case_detail", args=[case.reference])
    merge = reverse("network:case_merge", args=[case.reference])
    client.force_login(caseworker)
    assert merge not in client.get(url).content.decode()
    client.force_login(coordinator)
    assert merge in client.get(url).content.decode()


def test_the_contacts_form_is_offered_once_the_device_is_marked(worker, case):
    url = reverse("intake:case_detail", args=[case.reference])
    assert "data-contacts-form" not in worker.get(url).content.decode()
    worker.post(reverse("network:compromised_mark", args=[case.reference]))
    assert "data-contacts-form" in worker.get(url).content.decode()


def test_the_page_decrypts_no_alias_of_a_case_the_reader_may_not_see(
    caseworker, case, other, foreign, monkeypatch
):
    from crypto import fields
    from network.selectors import links_shown

    make_link(case, other)
    make_link(case, foreign)
    decrypted = []
    real = fields.library.decrypt_str

    def spy(value):
        plaintext = real(value)
        decrypted.append(plaintext)
        return plaintext

    monkeypatch.setattr(fields.library, "decrypt_str", spy)
    shown = links_shown(case, caseworker)
    assert {link.alias for link in shown} == {"Marker-Other", ""}
    assert "Marker-Other" in decrypted
    assert "Marker-Foreign" not in decrypted
