import itertools

import pytest
from django.core.exceptions import PermissionDenied

from referrals.models import Referral, ReferralChange
from referrals.services import referral_move
from referrals.status import TRANSITIONS, ReferralError, ReferralStatus
from tests.factories import ReferralFactory

S = ReferralStatus
# The machine of README.md "Referrals", written out edge by edge: draft → sent →
# acknowledged → accepted → completed, or declined (with a reason) / withdrawn /
# expired. Partners decline what they have not accepted; staff withdraw what is
# not finished, an accepted referral included ("completing or withdrawing an
# accepted referral gives it back"); a referral not yet accepted or declined
# past its deadline expires.
DESIGN = {
    ("draft", "sent"),
    ("draft", "withdrawn"),
    ("sent", "acknowledged"),
    ("sent", "declined"),
    ("sent", "withdrawn"),
    ("sent", "expired"),
    ("acknowledged", "accepted"),
    ("acknowledged", "declined"),
    ("acknowledged", "withdrawn"),
    ("acknowledged", "expired"),
    ("accepted", "completed"),
    ("accepted", "withdrawn"),
}
# "Partners make only their moves, staff send and withdraw"; a job expires.
BY_PARTNER = {"acknowledged", "accepted", "declined", "completed"}
BY_STAFF = {"sent", "withdrawn"}
PAIRS = list(itertools.product(S.values, S.values))
ALLOWED = sorted(DESIGN)
FORBIDDEN = [pair for pair in PAIRS if pair not in DESIGN]


def referral_in(status):
    referral = ReferralFactory()
    Referral.objects.filter(pk=referral.pk).update(status=status)
    referral.refresh_from_db()
    return referral


def test_the_machine_is_the_one_in_the_design():
    edges = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert edges == DESIGN
    assert set(TRANSITIONS) == set(S.values)


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


@pytest.mark.parametrize(("current", "target"), ALLOWED)
@pytest.mark.parametrize("mover", ["partner", "caseworker"])
def test_each_side_makes_only_its_own_moves(db, personas, mover, current, target):
    referral = referral_in(current)
    allowed = target in (BY_PARTNER if mover == "partner" else BY_STAFF)
    if allowed:
        referral_move(referral=referral, to=target, by=personas[mover], note="reason")
        assert Referral.objects.get(pk=referral.pk).status == target
    else:
        # The kind of refusal is being unified (issue 18); its message is the rule.
        with pytest.raises((ReferralError, PermissionDenied), match="not yours"):
            referral_move(referral=referral, to=target, by=personas[mover], note="reason")
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
