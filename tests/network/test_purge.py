"""A purge takes the case's links and warnings with it; a warning its phone raised on
another case stays, with nothing left of where it came from."""

from network.models import CaseLink, Cause, Exposure
from retention.services import FORGOTTEN, case_purge
from tests.factories import CaseFactory
from tests.network.conftest import make_link


def test_a_purge_takes_the_cases_links_and_warnings(case, other, team_a):
    third = CaseFactory(team=team_a)
    make_link(case, other)
    make_link(third, case)
    make_link(other, third)
    Exposure.objects.create(case=case, source=other, cause=Cause.LINKED)
    Exposure.objects.create(case=case, cause=Cause.ELSEWHERE)
    raised = Exposure.objects.create(case=other, source=case, cause=Cause.CONTACTS)
    assert case_purge(case_id=case.pk, reason=FORGOTTEN)
    assert list(CaseLink.objects.values_list("first_id", "second_id")) == [
        tuple(sorted((other.pk, third.pk)))
    ]
    assert not Exposure.objects.filter(case_id=case.pk).exists()
    # The person it warned is still in danger: the warning stays, anonymous now.
    raised.refresh_from_db()
    assert raised.source is None and raised.handled_at is None


def test_two_warnings_left_without_their_sources_do_not_collide(case, other, team_a):
    third = CaseFactory(team=team_a)
    Exposure.objects.create(case=third, source=case, cause=Cause.LINKED)
    Exposure.objects.create(case=third, source=other, cause=Cause.LINKED)
    assert case_purge(case_id=case.pk, reason=FORGOTTEN)
    assert case_purge(case_id=other.pk, reason=FORGOTTEN)
    assert Exposure.objects.open().filter(case=third, source=None).count() == 2


# A merged duplicate lives exactly as long as the case it was merged into.


def merged_pair(team, coordinator):
    """A (with a note, a search token and a link) merged into B."""
    from intake.models import Note, SearchToken
    from intake.search import index_case
    from network import services

    a = CaseFactory(team=team, alias="Marker-Merged-A")
    b = CaseFactory(team=team, alias="Marker-Merged-B")
    third = CaseFactory(team=team)
    make_link(a, third)
    index_case(a)
    services.case_merge(duplicate=a, survivor=b, by=coordinator)
    # What a merge leaves on the duplicate: its row, search tokens, its own events.
    assert SearchToken.objects.filter(case=a).exists()
    Note.objects.create(case=a, author=coordinator, body="Marker-left-on-A")
    return a, b


def test_forgetting_the_case_kept_forgets_the_cases_merged_into_it(client, coordinator, team_a):
    from django.urls import reverse

    from audit.models import AuditEvent
    from intake.models import Case, MergedReference, Note, SearchToken
    from retention.models import RetiredCaseCount

    a, b = merged_pair(team_a, coordinator)
    client.force_login(coordinator)
    response = client.post(
        reverse("retention:case_forget", args=[b.reference]),
        {"reason": "person_asked", "confirm": b.reference},
        follow=True,
    )
    assert not Case.objects.filter(pk__in=[a.pk, b.pk]).exists()
    assert not Note.objects.filter(case_id=a.pk).exists()
    assert not SearchToken.objects.filter(case_id=a.pk).exists()
    assert not CaseLink.objects.filter(first_id=a.pk).exists()
    assert not CaseLink.objects.filter(second_id=a.pk).exists()
    assert not MergedReference.objects.exists()
    assert set(AuditEvent.objects.filter(action="purge").values_list("object_ref", flat=True)) == {
        a.reference,
        b.reference,
    }
    # Two requests, as the live statistics counted them; one person forgotten.
    counted = RetiredCaseCount.objects.filter(dimension="outcome")
    outcomes = dict(counted.values_list("value", "count"))
    assert outcomes == {"forgotten": 1, "duplicate": 1}
    assert RetiredCaseCount.objects.get(dimension="case").count == 2
    told = [str(m) for m in response.context["messages"]]
    assert told == [
        f"Case {b.reference} is purged, with 1 case merged into it. Only anonymous counts remain."
    ]


def test_expiry_does_not_take_a_merged_duplicate_while_the_case_kept_lives(coordinator, team_a):
    from datetime import timedelta

    from django.utils import timezone

    from intake.models import Case
    from retention import services as retention

    a, b = merged_pair(team_a, coordinator)
    Case.objects.filter(pk=a.pk).update(closed_at=timezone.now() - timedelta(days=400))
    assert [e.reference for e in retention.expired_cases()] == []
    assert retention.purge_expired() == {}
    assert Case.objects.filter(pk=a.pk).exists()
    # The case kept expires: the duplicate goes with it, in the same batch.
    long_ago = timezone.now() - timedelta(days=400)
    Case.objects.filter(pk=b.pk).update(status="new", updated_at=long_ago)
    assert retention.purge_expired() == {"stale_unverified": 2}
    assert not Case.objects.filter(pk__in=[a.pk, b.pk]).exists()
