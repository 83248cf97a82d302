"""What waits for a coordinator's approval is said once (`needs_approval_condition`):
the row's `needs_approval` and `Referral.objects.awaiting_approval()` agree on every
combination of what decides it."""

from itertools import product

import pytest
from django.utils import timezone

from referrals.models import Referral, needs_approval_condition
from tests.factories import CaseFactory, ReferralFactory

SHARED = (["alias", "needs"], ["alias", "contact_handle"], ["contact_handle"])
COMBINATIONS = list(product(SHARED, (False, True), ("draft", "sent"), ("active", "closed")))


@pytest.mark.parametrize(("shared", "approved", "status", "case_status"), COMBINATIONS)
def test_the_row_and_the_queries_agree(db, shared, approved, status, case_status):
    extra = {"closure_reason": "stable"} if case_status == "closed" else {}
    referral = ReferralFactory(
        case=CaseFactory(status=case_status, **extra),
        shared_fields=shared,
        status=status,
        approved_at=timezone.now() if approved else None,
    )
    one = Referral.objects.filter(pk=referral.pk)
    assert one.filter(needs_approval_condition()).exists() == referral.needs_approval
    waits = status == "draft" and case_status != "closed" and referral.needs_approval
    assert one.awaiting_approval().exists() == waits
    assert referral.needs_approval == ("contact_handle" in shared and not approved)
