"""Work on partners and referrals that spans models or accounts."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from intake.models import Case
from intake.status import Status as CaseStatus
from referrals.models import DRAFT_FIELDS, Partner, PartnerStaff, Referral, ReferralChange
from referrals.status import ReferralError, ReferralStatus

S = ReferralStatus


@transaction.atomic
def partner_staff_add(*, partner: Partner, username: str, password: str, by: User) -> User:
    user = User(username=username, role=Role.PARTNER)
    user.set_password(password)
    user.full_clean()
    user.save()
    PartnerStaff.objects.create(user=user, partner=partner)
    return user


def partner_staff_deactivate(*, partner: Partner, user: User, by: User) -> None:
    """End a partner staff member's access at once (left the organisation, phone seized)."""
    if not PartnerStaff.objects.filter(partner=partner, user=user).exists():
        raise ReferralError("Not a staff member of this partner.")
    user.is_active = False
    user.save(update_fields=["is_active"])


def referral_draft(*, case: Case, partner: Partner, service: str, data: dict, by: User) -> Referral:
    if not partner.active:
        raise ReferralError("This partner is not active.")
    if case.status == CaseStatus.CLOSED:
        raise ReferralError("The case is closed; reopen it before referring.")
    if service not in partner.services:
        raise ReferralError("This partner does not offer that service.")
    referral = Referral(case=case, partner=partner, service=service, created_by=by)
    for name in DRAFT_FIELDS:
        setattr(referral, name, data[name])
    referral.full_clean()
    referral.save()
    return referral


def referral_update_draft(*, referral: Referral, data: dict, by: User) -> Referral:
    if referral.status != S.DRAFT:
        raise ReferralError("Only a draft can be changed.")
    if set(data["shared_fields"]) != set(referral.shared_fields):
        # The coordinator approved a set of fields, not whatever comes later.
        referral.approved_by = None
        referral.approved_at = None
    for name in DRAFT_FIELDS:
        setattr(referral, name, data[name])
    referral.full_clean()
    referral.save()
    return referral


def referral_approve(*, referral: Referral, by: User) -> None:
    if not by.coordinates:
        raise ReferralError("Only a coordinator can approve sharing a contact handle.")
    if referral.status != S.DRAFT:
        raise ReferralError("Only a draft can be approved.")
    referral.approved_by = by
    referral.approved_at = timezone.now()
    referral.save(update_fields=["approved_by", "approved_at"])


def referral_move(*, referral: Referral, to: str, by: User, note: str = "") -> ReferralChange:
    """Move a referral; a decline needs a reason, a completion keeps its outcome note."""
    if to == S.DECLINED:
        if not note.strip():
            raise ReferralError("Say why the referral is declined.")
        referral.decline_reason = note
    elif to == S.COMPLETED:
        referral.outcome_note = note
    return referral.move_to(to, by=by)
