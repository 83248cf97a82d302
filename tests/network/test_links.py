"""Linking two cases: typed by reference, stored once, shown on both pages, audited."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from intake.models import CaseEvent, MergedReference
from network import services
from network.forms import NOT_AMONG_YOURS
from network.models import CaseLink, LinkKind
from tests.factories import CaseFactory, UserFactory
from tests.network.conftest import make_link


def add(client, case, reference, kind="family"):
    url = reverse("network:link_add", args=[case.reference])
    return client.post(url, {"reference": reference, "kind": kind})


def same_page(response, typed):
    """The page without what was typed and without the per-response CSRF tokens."""
    text = response.content.decode().replace(typed, "TYPED")
    text = re.sub(r'-seconds="\d+"', '-seconds="N"', text)  # the idle clock ticks
    return re.sub(r'value="[A-Za-z0-9]{64}"', 'value="TOKEN"', text)


def page(client, case):
    return client.get(reverse("intake:case_detail", args=[case.reference])).content.decode()


@pytest.mark.parametrize(
    "typed",
    [
        "{ref}",
        "{bare}",
        "{bare_lower}",
        "  {spaced}  ",
        "{ref_en_dash}",
    ],
)
def test_it_links_by_reference_typed_with_or_without_dashes(worker, case, other, typed):
    bare = other.reference.replace("-", "")
    typed = typed.format(
        ref=other.reference,
        bare=bare,
        bare_lower=bare.lower(),
        spaced=" ".join([bare[:4], bare[4:8], bare[8:]]),
        ref_en_dash=other.reference.replace("-", "–"),
    )
    response = add(worker, case, typed)
    assert response.status_code == 302
    link = CaseLink.objects.get()
    assert {link.first, link.second} == {case, other}
    assert link.kind == LinkKind.FAMILY


def test_it_reads_o_i_and_l_as_the_digits_the_alphabet_keeps(worker, case, team_a):
    target = CaseFactory(team=team_a)
    target.reference = "A0B1-C1D0-EF01"
    target.save(update_fields=["reference"])
    assert add(worker, case, "aob1-cld0-efo1").status_code == 302
    assert CaseLink.objects.filter(kind="family").count() == 1


def test_it_stores_a_pair_once_lower_key_first_whichever_page_it_was_made_on(worker, case, other):
    assert add(worker, other, case.reference).status_code == 302  # from the higher key's page
    link = CaseLink.objects.get()
    assert link.first_id < link.second_id
    assert (link.first, link.second) == tuple(sorted((case, other), key=lambda c: c.pk))
    again = add(worker, case, other.reference, kind="friends")
    assert again.status_code == 400
    assert "linked already" in again.content.decode()
    assert CaseLink.objects.get().kind == "family"


def test_the_database_refuses_a_pair_out_of_order_or_twice(case, other):
    low, high = sorted((case, other), key=lambda c: c.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseLink.objects.create(first=high, second=low, kind="family")
    CaseLink.objects.create(first=low, second=high, kind="family")
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseLink.objects.create(first=low, second=high, kind="friends")


def test_it_refuses_linking_a_case_to_itself(worker, case):
    response = add(worker, case, case.reference)
    assert response.status_code == 400
    assert "cannot be linked to itself" in response.content.decode()
    assert not CaseLink.objects.exists()


def test_another_teams_reference_gets_the_same_answer_as_one_that_does_not_exist(
    worker, case, foreign
):
    existing = add(worker, case, foreign.reference)
    made_up = add(worker, case, "ZZZZ-ZZZZ-ZZZ9")
    assert existing.status_code == made_up.status_code == 400
    message = str(NOT_AMONG_YOURS)
    for response in (existing, made_up):
        text = response.content.decode()
        assert message in text
        assert "Marker-Foreign" not in text
    # The same page apart from what was typed: nothing tells the two apart.
    assert same_page(existing, foreign.reference) == same_page(made_up, "ZZZZ-ZZZZ-ZZZ9")
    assert not CaseLink.objects.exists()


def test_a_duplicate_link_cannot_be_chosen_by_hand(worker, caseworker, case, other):
    response = add(worker, case, other.reference, kind=LinkKind.DUPLICATE)
    assert response.status_code == 400
    assert not CaseLink.objects.exists()
    with pytest.raises(services.NetworkError):
        services.link_add(case=case, other=other, kind=LinkKind.DUPLICATE, by=caseworker)
    assert not CaseLink.objects.exists()


def test_an_operator_may_not_link_in_the_service_either(operator, case, other):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.link_add(case=case, other=other, kind="family", by=operator)
    assert not CaseLink.objects.exists()


def test_the_link_shows_on_both_pages_with_reference_and_alias(worker, case, other):
    add(worker, case, other.reference)
    mine, theirs = page(worker, case), page(worker, other)
    assert other.reference in mine and "Marker-Other" in mine
    assert case.reference in theirs and case.alias in theirs
    assert "Family" in mine and "Family" in theirs


def test_a_case_of_a_team_the_reader_is_not_in_is_shown_without_reference_or_alias(
    client, team_a, team_b, case, foreign, caseworker
):
    both = UserFactory(username="two-teams", role=Role.CASEWORKER, teams=[team_a, team_b])
    client.force_login(both)
    assert add(client, case, foreign.reference).status_code == 302
    assert foreign.reference in page(client, case)  # the two-team user sees both
    client.force_login(caseworker)  # team A only
    text = page(client, case)
    assert "a case of another team" in text
    assert foreign.reference not in text and "Marker-Foreign" not in text


def test_linking_and_unlinking_are_on_both_timelines_with_the_reference_only_in_one_team(
    client, team_a, team_b, case, other, foreign
):
    both = UserFactory(username="two-teams", role=Role.CASEWORKER, teams=[team_a, team_b])
    client.force_login(both)
    add(client, case, other.reference, kind="partner")
    add(client, case, foreign.reference, kind="group")
    events = {(e.case_id, e.detail) for e in CaseEvent.objects.filter(kind=CaseEvent.Kind.LINKED)}
    # The kind only, in one team too: a case transferred later would name a
    # case its new team may not see. The links section names the other case,
    # checked when it is read.
    assert events == {
        (case.pk, "partner"),
        (other.pk, "partner"),
        (case.pk, "group"),
        (foreign.pk, "group"),
    }
    # Staff of team A are not named on team B's timeline... unless they are in team B.
    assert CaseEvent.objects.get(case=foreign).by == both
    link = CaseLink.objects.get(kind="group")
    client.post(reverse("network:link_remove", args=[case.reference]), {"link": link.pk})
    assert set(
        CaseEvent.objects.filter(kind=CaseEvent.Kind.UNLINKED).values_list("case_id", "detail")
    ) == {(case.pk, "group"), (foreign.pk, "group")}
    assert not CaseLink.objects.filter(kind="group").exists()


def test_the_timeline_says_what_links_them(worker, case, other):
    add(worker, case, other.reference, kind="same_person")
    text = page(worker, case)
    assert "Linked to another case" in text
    assert "The same person, returning" in text


def test_after_a_transfer_no_timeline_names_the_case_left_behind(
    client, team_a, team_b, case, other
):
    from intake import transfers

    both = UserFactory(username="both", role=Role.COORDINATOR, teams=[team_a, team_b])
    client.force_login(both)
    add(client, case, other.reference, kind="family")
    link = CaseLink.objects.get()
    client.post(reverse("network:link_remove", args=[case.reference]), {"link": link.pk})
    transfers.case_transfer(case=other, to_team=team_b, by=both)
    for event in CaseEvent.objects.filter(kind__in=["linked", "unlinked", "exposed"]):
        assert case.reference not in event.detail and other.reference not in event.detail


def test_links_are_audited_by_reference_and_kind_code_only(worker, case, other):
    add(worker, case, other.reference, kind="friends")
    events = AuditEvent.objects.filter(detail__has_key="linked")
    assert {(e.object_ref, e.detail["linked"], e.detail["kind"]) for e in events} == {
        (case.reference, other.reference, "friends"),
        (other.reference, case.reference, "friends"),
    }
    for event in events:
        assert set(event.detail) == {"linked", "kind"}
    link = CaseLink.objects.get()
    worker.post(reverse("network:link_remove", args=[other.reference]), {"link": link.pk})
    assert AuditEvent.objects.filter(detail__has_key="unlinked").count() == 2


def test_unlinking_needs_a_link_of_this_case(worker, case, other, team_a):
    third, fourth = CaseFactory.create_batch(2, team=team_a)
    theirs = make_link(third, fourth)
    url = reverse("network:link_remove", args=[case.reference])
    assert worker.post(url, {"link": theirs.pk}).status_code == 404
    assert worker.post(url, {"link": "1 OR 1=1"}).status_code == 404
    assert CaseLink.objects.filter(pk=theirs.pk).exists()


def test_a_merge_link_cannot_be_removed(worker, case, other):
    link = make_link(case, other, kind=LinkKind.DUPLICATE)
    response = worker.post(reverse("network:link_remove", args=[case.reference]), {"link": link.pk})
    assert response.status_code == 302
    assert CaseLink.objects.filter(pk=link.pk).exists()
    assert "records a merge" in page(worker, case)


def test_a_merged_reference_typed_in_links_to_the_case_it_was_merged_into(worker, case, other):
    MergedReference.objects.create(reference="7K2M-9QXD-4TPA", case=other)
    assert add(worker, case, "7k2m9qxd4tpa").status_code == 302
    link = CaseLink.objects.get()
    assert {link.first, link.second} == {case, other}


def test_a_refused_link_keeps_what_was_typed_and_says_why_at_the_top(worker, case):
    response = add(worker, case, "NOPE-NOPE-NOPE", kind="friends")
    text = response.content.decode()
    assert response.status_code == 400
    assert 'value="NOPE-NOPE-NOPE"' in text
    assert "error-summary" in text
    assert text.index("error-summary") < text.index('id="linked-cases"')


def test_a_link_to_a_case_the_user_may_not_see_cannot_be_removed(worker, caseworker, case, foreign):
    from django.core.exceptions import PermissionDenied

    link = make_link(case, foreign)
    url = reverse("network:link_remove", args=[case.reference])
    # The same answer as a link that does not exist.
    assert worker.post(url, {"link": link.pk}).status_code == 404
    assert CaseLink.objects.filter(pk=link.pk).exists()
    with pytest.raises(PermissionDenied):
        services.link_remove(case=case, link=link, by=caseworker)
    assert CaseLink.objects.filter(pk=link.pk).exists()
