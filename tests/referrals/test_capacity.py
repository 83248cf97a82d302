"""Free places: taken on accept, given back on complete or withdraw, never below zero."""

import threading

import pytest
from django.db import connection

from referrals.models import Partner, Referral
from referrals.status import ReferralError
from tests.factories import PartnerFactory, ReferralFactory


def acknowledged(partner, by):
    referral = ReferralFactory(partner=partner)
    for step in ("sent", "acknowledged"):
        referral.move_to(step, by=by)
    return referral


def places(partner):
    return Partner.objects.get(pk=partner.pk).capacity


def test_accepting_takes_a_place_and_completing_gives_it_back(db, partner):
    org = PartnerFactory(capacity=2)
    referral = acknowledged(org, partner)
    referral.move_to("accepted", by=partner)
    assert places(org) == 1
    referral.move_to("completed", by=partner)
    assert places(org) == 2


def test_withdrawing_an_accepted_referral_gives_the_place_back(db, partner, caseworker):
    org = PartnerFactory(capacity=1)
    referral = acknowledged(org, partner)
    referral.move_to("accepted", by=partner)
    referral.move_to("withdrawn", by=caseworker)
    assert places(org) == 1


def test_declining_or_withdrawing_before_accepting_changes_nothing(db, partner, caseworker):
    org = PartnerFactory(capacity=1)
    acknowledged(org, partner).move_to("declined", by=partner)
    acknowledged(org, partner).move_to("withdrawn", by=caseworker)
    assert places(org) == 1


def test_accepting_with_no_free_place_is_refused(db, partner):
    org = PartnerFactory(capacity=0)
    referral = acknowledged(org, partner)
    with pytest.raises(ReferralError, match="no free places"):
        referral.move_to("accepted", by=partner)
    assert Referral.objects.get(pk=referral.pk).status == "acknowledged"
    assert places(org) == 0


def test_a_partner_without_counted_places_always_accepts(db, partner):
    org = PartnerFactory(capacity=None)
    referral = acknowledged(org, partner)
    referral.move_to("accepted", by=partner)
    assert places(org) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_cannot_overbook_the_last_place(partner):
    org = PartnerFactory(capacity=1)
    referrals = [acknowledged(org, partner) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(referral):
        try:
            barrier.wait()
            referral.move_to("accepted", by=partner)
            outcomes.append("accepted")
        except ReferralError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(r,)) for r in referrals]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["accepted", "refused"]
    assert places(org) == 0
