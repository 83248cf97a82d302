"""What the security review found at the edges: a purge meeting an upload or a rotation,
the sweep's time limit, and what a partner is shown of a shared file."""

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse

from evidence import rotation, services, store
from evidence.models import EvidenceFile
from intake.models import Case
from retention import services as retention
from tests.evidence import samples
from tests.evidence.conftest import TEXT, add_file, open_referral, share, spooled, stored, upload


def test_an_upload_to_a_case_purged_meanwhile_is_refused_and_keeps_nothing(
    client, caseworker, case, monkeypatch
):
    put = store.put

    def put_then_purge(name, path):
        put(name, path)
        if Case.objects.filter(pk=case.pk).exists():
            retention.case_purge(case_id=case.pk, reason=retention.FORGOTTEN)

    monkeypatch.setattr(store, "put", put_then_purge)
    client.force_login(caseworker)
    response = upload(client, case, TEXT, name="note.txt")
    assert response.status_code == 400
    assert b"was deleted meanwhile" in response.content
    assert not EvidenceFile.objects.exists()
    assert stored() == {} and spooled() == {}


def test_the_sweep_stops_at_its_time_limit_and_keeps_what_it_did(case, caseworker, monkeypatch):
    files = [add_file(case, caseworker, TEXT, name=f"n{i}.txt") for i in range(3)]
    ids = services.release_for_cases([case.pk])
    delete, calls = store.delete, []

    def slow_store(name):
        calls.append(name)
        if len(calls) == 3:
            raise SoftTimeLimitExceeded
        delete(name)

    monkeypatch.setattr(store, "delete", slow_store)
    with pytest.raises(SoftTimeLimitExceeded):
        services.sweep(ids)
    # The two whose objects went are gone, rows too; the third waits for the next run.
    assert EvidenceFile.objects.count() == 1
    monkeypatch.setattr(store, "delete", delete)
    assert services.sweep() == (1, 0)
    assert stored() == {} and len(files) == 3


def test_a_rotation_skips_a_file_a_purge_emptied_after_it_was_listed(
    case, caseworker, settings, monkeypatch
):
    add_file(case, caseworker, TEXT)
    new = "mG1b0Vq3s4GzP2lO8lHkq6QF3m6Bv2mJ8d3x4xqk9sA="
    settings.FILE_ENCRYPTION_KEYS = [new, *settings.FILE_ENCRYPTION_KEYS]
    batch = rotation._rewrap_batch

    def purge_first(pks):
        services.release_for_cases([case.pk])
        batch(pks)

    monkeypatch.setattr(rotation, "_rewrap_batch", purge_first)
    assert rotation.rewrap_all() == 1  # counted as listed; the emptied row was left alone
    assert EvidenceFile.objects.get().key_id == ""


def test_a_partner_sees_the_shared_copy_but_not_the_caseworkers_description(
    client, case, caseworker, partner, partner_org
):
    file = add_file(case, caseworker, samples.jpeg(), description="MARKER-DESC taken at home")
    referral = open_referral(case, partner_org, caseworker)
    share(file, referral, caseworker)
    client.force_login(partner)
    page = client.get(reverse("referrals:partner_detail", args=[referral.reference]))
    assert page.status_code == 200
    assert reverse("evidence:partner_download", args=[referral.reference, file.reference]) in (
        page.content.decode()
    )
    assert b"MARKER-DESC" not in page.content


@pytest.mark.parametrize("who", ["anonymous", "partner", "operator"])
def test_a_body_nobody_here_may_send_is_not_encrypted_at_all(
    client, personas, case, monkeypatch, who
):
    from evidence.uploads import SealingUploadHandler

    received = []
    monkeypatch.setattr(
        SealingUploadHandler, "receive_data_chunk", lambda self, data, start: received.append(data)
    )
    if who != "anonymous":
        client.force_login(personas[who])
    response = upload(client, case, TEXT * 1000, name="note.txt")
    assert response.status_code in (302, 403, 404)
    assert received == [] and spooled() == {} and not EvidenceFile.objects.exists()


def test_a_share_withdrawn_shuts_the_partner_out_of_that_file(
    client, case, caseworker, partner, partner_org
):
    file = add_file(case, caseworker, samples.jpeg())
    referral = open_referral(case, partner_org, caseworker)
    share(file, referral, caseworker)
    download = reverse("evidence:partner_download", args=[referral.reference, file.reference])
    client.force_login(partner)
    assert client.get(download).status_code == 200
    client.force_login(caseworker)
    response = client.post(
        reverse("evidence:unshare", args=[file.reference]), {"referral": referral.reference}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#file-{file.reference}")
    client.force_login(partner)
    assert client.get(download).status_code == 404
    page = client.get(reverse("referrals:partner_detail", args=[referral.reference]))
    assert file.reference not in page.content.decode()
