import itertools

import pytest

from referrals.models import Referral, ReferralChange
from referrals.services import referral_move
from referrals.status import TRANSITIONS, ReferralError, ReferralStatus
from tests.factories import ReferralFactory

S = ReferralStatus
PAIRS = list(itertools.product(S.values, S.values))
ALLOWED = [(a, b) for a, b in PAIRS if b in TRANSITIONS[a]]
FORBIDDEN = [(a, b) for a, b in PAIRS if b not in TRANSITIONS[a]]


def referral_in(status):
    referral = ReferralFactory()
    Referral.objects.filter(pk=referral.pk).update(status=status)
    referral.refresh_from_db()
    return referral


def test_the_machine_is_the_one_in_the_issue():
    happy = ["draft", "sent", "acknowledged", "accepted", "completed"]
    assert all((a, b) in ALLOWED for a, b in itertools.pairwise(happy))
    assert ("sent", "accepted") in FORBIDDEN  # acknowledge first
    assert ("accepted", "declined") in FORBIDDEN
    assert all(not TRANSITIONS[s] for s in ("completed", "declined", "withdrawn", "expired"))


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_every_allowed_move(db, caseworker, current, target):
    referral = referral_in(current)
    referral_move(referral=referral, to=target, by=None, note="reason")
    assert Referral.objects.get(pk=referral.pk).status == target
    change = ReferralChange.objects.get(referral=referral)
    assert (change.from_status, change.to_status) == (current, target)


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_every_forbidden_move(db, caseworker, current, target):
    referral = referral_in(current)
    with pytest.raises(ReferralError, match="cannot move"):
        referral_move(referral=referral, to=target, by=None, note="reason")
    assert Referral.objects.get(pk=referral.pk).status == current
    assert not ReferralChange.objects.exists()


def test_sending_sets_the_acknowledgement_deadline(db, caseworker):
    referral = ReferralFactory(partner__ack_deadline_hours=6)
    referral_move(referral=referral, to="sent", by=caseworker)
    referral.refresh_from_db()
    assert (referral.ack_due_at - referral.sent_at).total_seconds() == 6 * 3600
    assert not referral.is_overdue


def test_closing_moves_record_when(db, caseworker):
    referral = referral_in("sent")
    referral_move(referral=referral, to="withdrawn", by=caseworker)
    assert Referral.objects.get(pk=referral.pk).closed_at is not None


def test_unanswered_referrals_expire_after_the_grace_period(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    from referrals.tasks import expire_unanswered

    settings.CORRIDOR_REFERRAL_EXPIRE_AFTER_HOURS = 72
    now = timezone.now()
    old, young, accepted = (
        referral_in("sent"),
        referral_in("acknowledged"),
        referral_in("accepted"),
    )
    Referral.objects.filter(pk__in=[old.pk, accepted.pk]).update(
        ack_due_at=now - timedelta(hours=80)
    )
    Referral.objects.filter(pk=young.pk).update(ack_due_at=now - timedelta(hours=10))
    assert expire_unanswered() == 1
    assert expire_unanswered() == 0  # a second run finds nothing
    statuses = dict(Referral.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "expired", young.pk: "acknowledged", accepted.pk: "accepted"}
