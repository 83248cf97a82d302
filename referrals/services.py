"""Work on partners and referrals that spans models or accounts."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from audit.models import Action
from audit.services import record
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
    record(
        Action.USER_CHANGE,
        actor=by,
        object_type="user",
        object_ref=str(user.pk),
        detail={"created": True, "role": Role.PARTNER, "partner": partner.reference},
    )
    return user


def partner_staff_deactivate(*, partner: Partner, user: User, by: User) -> None:
    """End a partner staff member's access at once (left the organisation, phone seized)."""
    if not PartnerStaff.objects.filter(partner=partner, user=user).exists():
        raise ReferralError("Not a staff member of this partner.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(
        Action.USER_CHANGE,
        actor=by,
        object_type="user",
        object_ref=str(user.pk),
        detail={"fields": ["is_active"], "partner": partner.reference},
    )


def partner_save(*, form, by: User) -> Partner:
    """Save a partner from its form; the trail names the fields, never the contacts."""
    partner = form.save()
    record(
        Action.UPDATE if form.initial else Action.CREATE,
        actor=by,
        object_type="partner",
        object_ref=partner.reference,
        detail={"fields": sorted(form.changed_data)},
    )
    return partner


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
    _audit(Action.CREATE, referral, by, case=case.reference, shared=referral.shared_fields)
    return referral


def _audit(action: str, referral: Referral, by: User | None, **detail) -> None:
    record(action, actor=by, object_type="referral", object_ref=referral.reference, detail=detail)


def referral_update_draft(*, referral: Referral, data: dict, by: User) -> Referral:
    if referral.status != S.DRAFT:
        raise ReferralError("Only a draft can be changed.")
    if set(data["shared_fields"]) != set(referral.shared_fields):
        # The coordinator approved a set of fields, not whatever comes later.
        referral.approved_by = None
        referral.approved_at = None
    changed = [name for name in DRAFT_FIELDS if getattr(referral, name) != data[name]]
    for name in DRAFT_FIELDS:
        setattr(referral, name, data[name])
    referral.full_clean()
    referral.save()
    _audit(Action.UPDATE, referral, by, fields=changed)
    return referral


def referral_approve(*, referral: Referral, by: User) -> None:
    if not by.coordinates:
        raise ReferralError("Only a coordinator can approve sharing a contact handle.")
    if referral.status != S.DRAFT:
        raise ReferralError("Only a draft can be approved.")
    referral.approved_by = by
    referral.approved_at = timezone.now()
    referral.save(update_fields=["approved_by", "approved_at"])
    _audit(Action.UPDATE, referral, by, fields=["approved_at"], shared=referral.shared_fields)


def referral_move(*, referral: Referral, to: str, by: User, note: str = "") -> ReferralChange:
    """Move a referral; a decline needs a reason, a completion keeps its outcome note."""
    if to == S.DECLINED:
        if not note.strip():
            raise ReferralError("Say why the referral is declined.")
        referral.decline_reason = note
    elif to == S.COMPLETED:
        referral.outcome_note = note
    change = referral.move_to(to, by=by)
    _audit(Action.REFERRAL_MOVE, referral, by, **{"from": change.from_status, "to": to})
    return change
