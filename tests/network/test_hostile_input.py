"""Hostile input in the reference boxes and the contacts list: a clear answer where the
person is looking, nothing changed, never a 500."""

import pytest
from django.urls import reverse

from intake.models import Case, MergedReference
from network.models import CaseLink, Exposure
from tests.hostile import HOSTILE, assert_safe


def refused_where_seen(response, value) -> bool:
    """The reason at the top of the page; a NUL byte is refused before any view
    (ops/middleware: the same 400 for every form)."""
    if "\x00" in value:
        return response.content == b"The request contains a null character."
    return b"error-summary" in response.content


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_the_link_reference_box(worker, case, other, value):
    url = reverse("network:link_add", args=[case.reference])
    response = worker.post(url, {"reference": value, "kind": "family"})
    assert_safe(response)
    assert response.status_code == 400
    assert refused_where_seen(response, value)
    assert not CaseLink.objects.exists()


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_the_link_kind(worker, case, other, value):
    url = reverse("network:link_add", args=[case.reference])
    response = worker.post(url, {"reference": other.reference, "kind": value})
    assert_safe(response)
    assert response.status_code == 400
    assert not CaseLink.objects.exists()


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_the_merge_reference_box(coordinating, case, other, value):
    url = reverse("network:case_merge", args=[case.reference])
    response = coordinating.post(url, {"into": value, "confirm": "on"})
    assert_safe(response)
    assert response.status_code == 400
    assert not MergedReference.objects.exists()
    assert Case.objects.get(pk=case.pk).status == "new"


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_the_contacts_list(worker, case, other, value):
    url = reverse("network:compromised_mark", args=[case.reference])
    response = worker.post(url, {"contacts": value})
    assert_safe(response)
    fresh = Case.objects.get(pk=case.pk)
    if response.status_code == 302:
        # Accepted: the device is marked, and nothing in this corpus is a handle of ours.
        assert fresh.device_compromised_at is not None
    else:
        assert response.status_code == 400
        assert refused_where_seen(response, value)
        assert fresh.device_compromised_at is None
    assert not Exposure.objects.exists()


@pytest.mark.parametrize("value", [*HOSTILE, "1", "-1", "0x10"], ids=range(len(HOSTILE) + 3))
def test_the_posted_ids(worker, case, other, value):
    remove = worker.post(reverse("network:link_remove", args=[case.reference]), {"link": value})
    handled = worker.post(
        reverse("network:exposure_handle", args=[case.reference]),
        {"exposure": value, "how": "checked_in"},
    )
    for response in (remove, handled):
        assert response.status_code == (400 if "\x00" in value else 404)


def test_a_paste_of_only_blank_and_invisible_lines_marks_and_warns_nobody(worker, case, other):
    url = reverse("network:compromised_mark", args=[case.reference])
    response = worker.post(url, {"contacts": "\n \n\u200b\n\t\n"})
    assert response.status_code == 302
    assert not Exposure.objects.exists()
