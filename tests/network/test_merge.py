"""Merging a duplicate into the case kept: everything moves, nothing it held is lost,
its reference still leads there, and what would break a rule is refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from evacuations import services as evacuations
from evacuations.models import Plan
from intake import services as intake_services
from intake.models import Case, CaseEvent, CheckIn, MergedReference, Note, StatusChange
from intake.status import Status
from network import services
from network.models import CaseLink, Cause, Exposure, LinkKind
from referrals.models import Referral
from retention.services import FORGOTTEN, case_purge
from tests.factories import CaseFactory, NoteFactory, PartnerFactory, ReferralFactory
from tests.network.conftest import make_link

FIELDS = {
    "alias": "Marker-Dup-Alias",
    "contact_handle": "@marker_dup_handle",
    "safe_contact": "Marker-Dup-Safe: only after nine",
    "location": "Marker-Dup-Location, flat 4",
    "narrative": "Marker-Dup-Narrative " + "long story " * 1500,  # past a note's 10,000
}


@pytest.fixture
def duplicate(team_a, caseworker):
    case = CaseFactory(team=team_a, contact_channel="signal", risk=4, **FIELDS)
    case.move_to(Status.VERIFYING, by=caseworker)
    case.move_to(Status.ACTIVE, by=caseworker)
    return case


@pytest.fixture
def survivor(team_a):
    return CaseFactory(team=team_a, alias="Marker-Kept")


def merge_page(client, duplicate, data):
    return client.post(reverse("network:case_merge", args=[duplicate.reference]), data)


def open_plan(case, by):
    return evacuations.plan_open(
        case=case, data={"destination_country": "GE", "destination_city": "Tbilisi"}, by=by
    )


def test_notes_checkins_referrals_and_plans_move_to_the_case_kept(
    coordinating, coordinator, caseworker, duplicate, survivor, team_a
):
    notes = NoteFactory.create_batch(2, case=duplicate, author=caseworker)
    checkin = CheckIn.objects.create(case=duplicate, due_at=timezone.now() + timedelta(hours=3))
    referral = ReferralFactory(case=duplicate, partner=PartnerFactory(team=team_a))
    plan = open_plan(duplicate, caseworker)
    response = merge_page(coordinating, duplicate, {"into": survivor.reference, "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:case_detail", args=[survivor.reference])
    for note in notes:
        assert Note.objects.get(pk=note.pk).case == survivor
    assert CheckIn.objects.get(pk=checkin.pk).case == survivor
    assert Referral.objects.get(pk=referral.pk).case == survivor
    assert Plan.objects.get(pk=plan.pk).case == survivor
    assert not duplicate.notes.exists() and not duplicate.checkins.exists()
    assert not duplicate.referrals.exists() and not duplicate.evacuation_plans.exists()


def test_everything_the_duplicates_fields_held_is_one_note_on_the_case_kept(
    coordinator, caseworker, duplicate, survivor
):
    duplicate.follow_up_on = timezone.localdate() + timedelta(days=3)
    duplicate.assignee = caseworker
    duplicate.save()
    services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    note = survivor.notes.get()  # the survivor had none: this is the merge's
    assert note.author == coordinator
    assert duplicate.reference in note.body
    for value in FIELDS.values():
        assert value in note.body  # the narrative whole, though longer than a note may be
    for label in ("Signal", "Critical", "Active", "caseworker", "Next follow-up"):
        assert label in note.body


def test_the_duplicate_is_closed_as_duplicate_through_the_status_machine(
    coordinator, duplicate, survivor
):
    services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    fresh = Case.objects.get(pk=duplicate.pk)
    assert (fresh.status, fresh.closure_reason) == (Status.CLOSED, "duplicate")
    change = StatusChange.objects.filter(case=duplicate).latest("at")
    assert (change.from_status, change.to_status, change.closure_reason, change.by) == (
        Status.ACTIVE,
        Status.CLOSED,
        "duplicate",
        coordinator,
    )
    assert AuditEvent.objects.filter(
        action=Action.STATUS, object_ref=duplicate.reference, detail__to="closed"
    ).exists()


def test_the_two_are_linked_and_the_merge_is_on_the_timeline_and_in_the_trail(
    coordinating, coordinator, duplicate, survivor
):
    merge_page(coordinating, duplicate, {"into": survivor.reference, "confirm": "on"})
    link = CaseLink.objects.get()
    assert {link.first, link.second} == {duplicate, survivor}
    assert link.kind == LinkKind.DUPLICATE
    event = CaseEvent.objects.get(kind=CaseEvent.Kind.MERGED)
    assert (event.case, event.detail, event.by) == (survivor, duplicate.reference, coordinator)
    kept = AuditEvent.objects.get(object_ref=survivor.reference, detail__has_key="merged")
    assert kept.detail == {
        "merged": duplicate.reference,
        "moved": {"notes": 0, "checkins": 0, "referrals": 0, "plans": 0},
    }
    gone = AuditEvent.objects.get(object_ref=duplicate.reference, detail__has_key="merged_into")
    assert gone.detail == {"merged_into": survivor.reference}
    page = coordinating.get(reverse("intake:case_detail", args=[survivor.reference]))
    text = page.content.decode()
    assert "Another case merged into this one" in text
    assert "Duplicate, merged" in text


def test_the_duplicates_reference_leads_to_the_case_kept_also_after_its_purge(
    coordinating, coordinator, duplicate, survivor
):
    services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    url = reverse("intake:case_detail", args=[duplicate.reference])
    response = coordinating.get(url, follow=True)
    assert response.redirect_chain == [
        (reverse("intake:case_detail", args=[survivor.reference]), 302)
    ]
    told = [str(m) for m in response.context["messages"]]
    assert told == [f"Case {duplicate.reference} was merged into this case, {survivor.reference}."]
    assert case_purge(case_id=duplicate.pk, reason=FORGOTTEN)
    assert not Case.objects.filter(pk=duplicate.pk).exists()
    assert coordinating.get(url)["Location"] == reverse(
        "intake:case_detail", args=[survivor.reference]
    )
    # The purge took the duplicate's link; the survivor and its reference stay.
    assert not CaseLink.objects.exists()
    assert MergedReference.objects.get().case == survivor


def test_a_merged_reference_leads_nowhere_for_another_team(
    client, outsider, coordinator, duplicate, survivor
):
    services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    client.force_login(outsider)
    assert client.get(reverse("intake:case_detail", args=[duplicate.reference])).status_code == 404


def test_references_merged_into_the_duplicate_before_follow_it(
    coordinator, duplicate, survivor, team_a
):
    older = CaseFactory(team=team_a)
    services.case_merge(duplicate=older, survivor=duplicate, by=coordinator)
    services.case_merge(
        duplicate=Case.objects.get(pk=duplicate.pk), survivor=survivor, by=coordinator
    )
    assert dict(MergedReference.objects.values_list("reference", "case")) == {
        older.reference: survivor.pk,
        duplicate.reference: survivor.pk,
    }


def test_it_shows_both_cases_before_merging_and_changes_nothing_until_confirmed(
    coordinating, duplicate, survivor
):
    typed = survivor.reference.replace("-", "").lower()
    response = merge_page(coordinating, duplicate, {"into": typed})
    assert response.status_code == 200
    text = response.content.decode()
    for shown in (duplicate.reference, FIELDS["alias"], survivor.reference, "Marker-Kept"):
        assert shown in text
    assert 'name="confirm" value="on"' in text
    assert Case.objects.get(pk=duplicate.pk).status == Status.ACTIVE
    assert not MergedReference.objects.exists() and not CaseLink.objects.exists()


def test_the_merge_page_asks_for_the_case_to_keep(coordinating, duplicate):
    response = coordinating.get(reverse("network:case_merge", args=[duplicate.reference]))
    assert response.status_code == 200
    assert 'name="into"' in response.content.decode()


def test_both_open_plans_are_refused_with_nothing_changed(
    coordinating, caseworker, duplicate, survivor
):
    survivor.move_to(Status.VERIFYING, by=caseworker)
    survivor.move_to(Status.ACTIVE, by=caseworker)
    open_plan(duplicate, caseworker)
    open_plan(survivor, caseworker)
    NoteFactory(case=duplicate)
    for confirm in ("", "on"):
        response = merge_page(
            coordinating, duplicate, {"into": survivor.reference, "confirm": confirm}
        )
        assert response.status_code == 400
        assert "Both cases have an open evacuation plan" in response.content.decode()
    assert duplicate.notes.count() == 1
    assert Plan.objects.filter(case=duplicate).count() == 1
    assert Case.objects.get(pk=duplicate.pk).status == Status.ACTIVE


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("self", "cannot be merged into itself"),
        ("other_team", "No case with this reference among your teams."),
        ("closed_duplicate", "only an open case can be merged"),
        ("closed_survivor", "reopen it first"),
    ],
)
def test_it_refuses_what_cannot_be_merged(
    coordinating, coordinator, caseworker, duplicate, survivor, foreign, make, message
):
    into = survivor
    if make == "self":
        into = duplicate
    elif make == "other_team":
        into = foreign
    elif make == "closed_duplicate":
        intake_services.case_move(
            case=duplicate, to="closed", closure_reason="lost_contact", by=caseworker
        )
    elif make == "closed_survivor":
        intake_services.case_move(
            case=survivor, to="closed", closure_reason="stable", by=caseworker
        )
    response = merge_page(coordinating, duplicate, {"into": into.reference, "confirm": "on"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MergedReference.objects.exists() and not CaseLink.objects.exists()


def test_a_case_of_another_team_cannot_be_merged_even_by_someone_in_both(
    coordinator, duplicate, foreign, team_b
):
    coordinator.teams.add(team_b)
    assert services.merge_refusal(duplicate=duplicate, survivor=foreign) == (
        "Only two cases of one team can be merged."
    )
    with pytest.raises(services.NetworkError):
        services.case_merge(duplicate=duplicate, survivor=foreign, by=coordinator)


def test_only_a_coordinator_merges(caseworker, duplicate, survivor):
    with pytest.raises(PermissionDenied):
        services.case_merge(duplicate=duplicate, survivor=survivor, by=caseworker)
    assert Case.objects.get(pk=duplicate.pk).status == Status.ACTIVE


def test_it_is_all_or_nothing(coordinator, caseworker, duplicate, survivor, monkeypatch):
    NoteFactory(case=duplicate)

    def fail(**kwargs):
        raise RuntimeError("the close failed")

    monkeypatch.setattr(intake_services, "case_move", fail)
    with pytest.raises(RuntimeError):
        services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    assert duplicate.notes.count() == 1 and not survivor.notes.exists()
    assert not MergedReference.objects.exists() and not CaseLink.objects.exists()


def test_links_move_to_the_case_kept_once_each(coordinator, duplicate, survivor, team_a):
    both, only_dup = CaseFactory.create_batch(2, team=team_a)
    make_link(duplicate, both, kind=LinkKind.FAMILY)
    make_link(survivor, both, kind=LinkKind.FRIENDS)
    make_link(only_dup, duplicate, kind=LinkKind.PARTNER)
    make_link(duplicate, survivor, kind=LinkKind.SAME_PERSON)
    services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    links = {
        (frozenset((link.first_id, link.second_id)), link.kind) for link in CaseLink.objects.all()
    }
    assert links == {
        (frozenset((survivor.pk, both.pk)), LinkKind.FRIENDS),  # the survivor's own stays
        (frozenset((survivor.pk, only_dup.pk)), LinkKind.PARTNER),
        (frozenset((survivor.pk, duplicate.pk)), LinkKind.DUPLICATE),
    }
    for link in CaseLink.objects.all():
        assert link.first_id < link.second_id


def test_warnings_move_once_and_none_is_left_about_itself(coordinator, duplicate, survivor, team_a):
    seized = CaseFactory(team=team_a)
    Exposure.objects.create(case=duplicate, source=seized, cause=Cause.LINKED)
    Exposure.objects.create(case=survivor, source=seized, cause=Cause.LINKED)
    Exposure.objects.create(case=duplicate, cause=Cause.ELSEWHERE)
    Exposure.objects.create(case=duplicate, source=survivor, cause=Cause.LINKED)
    warned = CaseFactory(team=team_a)
    Exposure.objects.create(case=warned, source=duplicate, cause=Cause.CONTACTS)
    Exposure.objects.create(case=warned, source=survivor, cause=Cause.CONTACTS)
    services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    assert set(Exposure.objects.open().values_list("case_id", "source_id", "cause")) == {
        (survivor.pk, seized.pk, Cause.LINKED),
        (survivor.pk, None, Cause.ELSEWHERE),
        (warned.pk, survivor.pk, Cause.CONTACTS),
    }
    assert Exposure.objects.count() == 3


def test_a_seized_duplicate_marks_the_case_kept_and_warns_its_links(
    coordinator, caseworker, duplicate, survivor, team_a
):
    own_link = CaseFactory(team=team_a)
    make_link(survivor, own_link)
    services.device_mark_compromised(case=duplicate, by=caseworker)
    services.case_merge(
        duplicate=Case.objects.get(pk=duplicate.pk), survivor=survivor, by=coordinator
    )
    assert Case.objects.get(pk=survivor.pk).device_compromised_at is not None
    exposure = Exposure.objects.get(case=own_link)
    assert (exposure.source, exposure.cause) == (survivor, Cause.LINKED)


def test_links_inherited_by_a_seized_case_kept_are_warned(
    coordinator, caseworker, duplicate, survivor, team_a
):
    inherited = CaseFactory(team=team_a)
    make_link(duplicate, inherited)
    services.device_mark_compromised(case=survivor, by=caseworker)
    services.case_merge(
        duplicate=duplicate, survivor=Case.objects.get(pk=survivor.pk), by=coordinator
    )
    exposure = Exposure.objects.get(case=inherited)
    assert (exposure.source, exposure.cause) == (survivor, Cause.LINKED)


def test_a_legal_hold_stays_with_what_it_held(coordinator, duplicate, survivor):
    Case.objects.filter(pk=duplicate.pk).update(legal_hold=True)
    services.case_merge(
        duplicate=Case.objects.get(pk=duplicate.pk), survivor=survivor, by=coordinator
    )
    assert Case.objects.get(pk=survivor.pk).legal_hold


def test_a_new_request_with_the_duplicates_handle_is_offered_the_case_kept(
    client, caseworker, coordinator, duplicate, survivor
):
    services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    matches = intake_services.handle_matches(user=caseworker, handle=FIELDS["contact_handle"])
    assert [case.reference for case in matches.cases] == [survivor.reference]
    client.force_login(caseworker)
    data = {
        "team": survivor.team_id, "alias": "Again", "contact_channel": "signal",
        "contact_handle": FIELDS["contact_handle"], "risk": "3", "region": "chechnya",
        "add_to": survivor.reference,
    }  # fmt: skip
    assert client.post(reverse("intake:case_create"), data).status_code == 302
    assert survivor.notes.filter(body__isnull=False).count() == 2  # the merge's and this one


def test_a_transfer_takes_the_cases_merged_into_it_along(
    client, team_a, team_b, coordinator, duplicate, survivor
):
    from accounts.models import Role
    from intake import transfers
    from tests.factories import UserFactory

    services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    both = UserFactory(username="both", role=Role.COORDINATOR, teams=[team_a, team_b])
    transfers.case_transfer(case=survivor, to_team=team_b, by=both)
    moved = Case.objects.get(pk=duplicate.pk)
    assert (moved.team, moved.assignee) == (team_b, None)
    # The new team reads the merge as it happened: the duplicate is theirs to see.
    theirs = UserFactory(username="b-coordinator", role=Role.COORDINATOR, teams=[team_b])
    client.force_login(theirs)
    url = reverse("intake:case_detail", args=[duplicate.reference])
    assert client.get(url, follow=True).redirect_chain[-1][0] == reverse(
        "intake:case_detail", args=[survivor.reference]
    )
    assert client.get(reverse("intake:case_detail", args=[survivor.reference])).status_code == 200
    page = client.get(reverse("intake:case_detail", args=[survivor.reference])).content.decode()
    assert "a case of another team" not in page
    event = AuditEvent.objects.filter(object_ref=duplicate.reference, detail__has_key="transfer")
    assert event.get().detail["transfer"] == "moved with the case kept"


def test_a_duplicate_reopened_stands_alone_again_and_can_be_merged_again(
    coordinator, duplicate, survivor
):
    services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    closed = Case.objects.get(pk=duplicate.pk)
    intake_services.case_move(case=closed, to=Status.VERIFYING, by=coordinator)
    assert not MergedReference.objects.filter(reference=duplicate.reference).exists()
    assert not CaseLink.objects.filter(kind=LinkKind.DUPLICATE).exists()
    moves = AuditEvent.objects.filter(action=Action.STATUS, object_ref=duplicate.reference)
    move = moves.get(detail__to="verifying", detail__from="closed")
    assert move.detail == {"from": "closed", "to": "verifying", "unmerged_from": survivor.reference}
    # Merged again: no 500 on the reference merged before.
    services.case_merge(
        duplicate=Case.objects.get(pk=duplicate.pk), survivor=survivor, by=coordinator
    )
    assert MergedReference.objects.get(reference=duplicate.reference).case == survivor


def test_a_reference_merged_before_is_merged_again_into_the_new_case(
    coordinator, duplicate, survivor, team_a
):
    services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    # Reopened outside the service (as an earlier version left it): its merged reference stayed.
    Case.objects.get(pk=duplicate.pk).move_to(Status.VERIFYING, by=coordinator)
    third = CaseFactory(team=team_a)
    services.case_merge(duplicate=Case.objects.get(pk=duplicate.pk), survivor=third, by=coordinator)
    assert MergedReference.objects.get(reference=duplicate.reference).case == third


@pytest.mark.parametrize("asked_about", ["duplicate", "survivor"])
def test_a_merge_waits_for_an_open_transfer_request(
    coordinating, coordinator, duplicate, survivor, team_a, team_b, asked_about
):
    from intake.models import Transfer

    case = duplicate if asked_about == "duplicate" else survivor
    Transfer.objects.create(case=case, from_team=team_a, to_team=team_b, requested_by=coordinator)
    with pytest.raises(services.NetworkError, match="transfer"):
        services.case_merge(duplicate=duplicate, survivor=survivor, by=coordinator)
    response = merge_page(coordinating, duplicate, {"into": survivor.reference, "confirm": "on"})
    assert response.status_code == 400
    assert "waiting for an answer" in response.content.decode()
    assert Case.objects.get(pk=duplicate.pk).status != Status.CLOSED
