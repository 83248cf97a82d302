"""Free places: taken on accept, given back on complete or withdraw, never below zero."""

import pytest
from django.core.exceptions import PermissionDenied

from referrals.models import Partner, Referral
from referrals.services import referral_move, release_reserved_places
from referrals.status import ReferralError
from tests.concurrency import run_at_once
from tests.factories import PartnerFactory, ReferralFactory


def acknowledged(partner, by):
    referral = ReferralFactory(partner=partner)
    referral_move(referral=referral, to="sent", by=None)
    referral_move(referral=referral, to="acknowledged", by=by)
    return referral


def places(partner):
    return Partner.objects.get(pk=partner.pk).capacity


def test_accepting_takes_a_place_and_completing_gives_it_back(db, partner):
    org = PartnerFactory(capacity=2)
    referral = acknowledged(org, partner)
    referral_move(referral=referral, to="accepted", by=partner)
    assert places(org) == 1
    referral_move(referral=referral, to="completed", by=partner)
    assert places(org) == 2


def test_withdrawing_an_accepted_referral_gives_the_place_back(db, partner, caseworker):
    org = PartnerFactory(capacity=1)
    referral = acknowledged(org, partner)
    referral_move(referral=referral, to="accepted", by=partner)
    referral_move(referral=referral, to="withdrawn", by=caseworker)
    assert places(org) == 1


def test_declining_or_withdrawing_before_accepting_changes_nothing(db, partner, caseworker):
    org = PartnerFactory(capacity=1)
    referral_move(referral=acknowledged(org, partner), to="declined", by=partner, note="full")
    referral_move(referral=acknowledged(org, partner), to="withdrawn", by=caseworker)
    assert places(org) == 1


def test_accepting_with_no_free_place_is_refused(db, partner):
    org = PartnerFactory(capacity=0)
    referral = acknowledged(org, partner)
    with pytest.raises(ReferralError, match="no free places"):
        referral_move(referral=referral, to="accepted", by=partner)
    assert Referral.objects.get(pk=referral.pk).status == "acknowledged"
    assert places(org) == 0


def test_a_partner_without_counted_places_always_accepts(db, partner):
    org = PartnerFactory(capacity=None)
    referral = acknowledged(org, partner)
    referral_move(referral=referral, to="accepted", by=partner)
    assert places(org) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_cannot_overbook_the_last_place(partner):
    org = PartnerFactory(capacity=1)
    referrals = [acknowledged(org, partner) for _ in range(2)]

    def accept():
        return referral_move(
            referral=referrals.pop(), to="accepted", by=partner
        )  # pop is atomic: one each

    outcomes = run_at_once(accept)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ReferralError)
    assert places(org) == 0


def test_a_batch_release_gives_back_each_taken_place_once(db, partner):
    one, two = PartnerFactory(capacity=2), PartnerFactory(capacity=None)
    taken = [acknowledged(one, partner) for _ in range(2)] + [acknowledged(two, partner)]
    for referral in taken:
        referral_move(referral=referral, to="accepted", by=partner)
    never_taken = acknowledged(one, partner)
    assert places(one) == 0
    ids = [r.pk for r in [*taken, never_taken]]
    release_reserved_places(referrals=Referral.objects.filter(pk__in=ids))
    release_reserved_places(referrals=Referral.objects.filter(pk__in=ids))  # again: nothing more
    assert (places(one), places(two)) == (2, None)
    assert not Referral.objects.filter(pk__in=ids, place_reserved=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_release_racing_a_completion_gives_the_place_back_once(partner):
    org = PartnerFactory(capacity=1)
    referral = acknowledged(org, partner)
    referral_move(referral=referral, to="accepted", by=partner)
    jobs = [
        lambda: referral_move(referral=referral, to="completed", by=partner),
        lambda: release_reserved_places(referrals=Referral.objects.filter(pk=referral.pk)),
    ]
    outcomes = run_at_once(lambda: jobs.pop()())
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert places(org) == 1


def test_a_place_is_given_back_only_if_it_was_taken(db, partner, caseworker):
    org = PartnerFactory(capacity=None)
    referral = acknowledged(org, partner)
    referral_move(referral=referral, to="accepted", by=partner)  # nothing counted, nothing taken
    Partner.objects.filter(pk=org.pk).update(capacity=2)
    referral_move(referral=referral, to="completed", by=partner)
    assert places(org) == 2


def test_staff_and_partners_make_only_their_own_moves(db, partner, caseworker):
    org = PartnerFactory(capacity=1)
    referral = ReferralFactory(partner=org)
    with pytest.raises(PermissionDenied, match="not yours"):
        referral_move(referral=referral, to="sent", by=partner)
    referral_move(referral=referral, to="sent", by=caseworker)
    with pytest.raises(PermissionDenied, match="not yours"):
        referral_move(referral=referral, to="acknowledged", by=caseworker)
    assert Referral.objects.get(pk=referral.pk).status == "sent"


def test_a_stale_copy_cannot_undo_a_move(db, partner, caseworker):
    org = PartnerFactory(capacity=3)
    referral = acknowledged(org, partner)
    stale = Referral.objects.get(pk=referral.pk)
    referral_move(referral=referral, to="accepted", by=partner)
    with pytest.raises(ReferralError, match="cannot move"):
        referral_move(referral=stale, to="accepted", by=partner)
    fresh = Referral.objects.get(pk=referral.pk)
    assert fresh.acknowledged_at is not None and places(org) == 2
