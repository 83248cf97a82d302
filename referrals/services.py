"""Work on partners and referrals that spans models or accounts."""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.models import Action
from audit.services import record
from intake.choices import Verification
from intake.models import Case
from intake.status import Status as CaseStatus
from referrals.models import DRAFT_FIELDS, Partner, PartnerStaff, Referral, ReferralChange
from referrals.status import (
    PARTNER_MOVES,
    STAFF_MOVES,
    TERMINAL,
    ReferralError,
    ReferralStatus,
    check_transition,
)

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
        raise ReferralError(_("Not a staff member of this partner."))
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
        raise ReferralError(_("This partner is not active."))
    if case.status == CaseStatus.CLOSED:
        raise ReferralError(_("The case is closed; reopen it before referring."))
    if service not in partner.services:
        raise ReferralError(_("This partner does not offer that service."))
    referral = Referral(case=case, partner=partner, service=service, created_by=by)
    for name in DRAFT_FIELDS:
        setattr(referral, name, data[name])
    referral.full_clean()
    referral.save()
    _audit(Action.CREATE, referral, by, case=case.reference, shared=referral.shared_fields)
    return referral


def _audit(action: str, referral: Referral, by: User | None, **detail) -> None:
    record(action, actor=by, object_type="referral", object_ref=referral.reference, detail=detail)


@transaction.atomic
def referral_update_draft(*, referral: Referral, data: dict, by: User) -> Referral:
    # Lock and compare with what is stored: a form has already written to
    # `referral`, and the draft may have been sent meanwhile.
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status != S.DRAFT:
        raise ReferralError(_("Only a draft can be changed."))
    changed = [name for name in DRAFT_FIELDS if getattr(locked, name) != data[name]]
    fields = list(DRAFT_FIELDS)
    if "shared_fields" in changed:
        # The coordinator approved a set of fields, not whatever comes later.
        locked.approved_by = None
        locked.approved_at = None
        fields += ["approved_by", "approved_at"]
    for name in DRAFT_FIELDS:
        setattr(locked, name, data[name])
    locked.full_clean()
    locked.save(update_fields=fields)
    _audit(Action.UPDATE, locked, by, fields=changed)
    referral.refresh_from_db()
    return locked


def referral_approve(*, referral: Referral, by: User, seen_shared: list[str]) -> None:
    """Approve sharing exactly the fields the coordinator saw, on a draft."""
    if not by.coordinates:
        raise PermissionDenied(_("Only a coordinator can approve sharing a contact handle."))
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != S.DRAFT:
            raise ReferralError(_("Only a draft can be approved."))
        if sorted(locked.shared_fields) != sorted(seen_shared):
            raise ReferralError(_("The shared fields changed meanwhile: check them again."))
        locked.approved_by = by
        locked.approved_at = timezone.now()
        locked.save(update_fields=["approved_by", "approved_at"])
        _audit(Action.UPDATE, locked, by, fields=["approved_at"], shared=locked.shared_fields)
    referral.refresh_from_db()


def _check_mover(to: str, by: User | None) -> None:
    """Partners acknowledge, accept, decline, complete; staff send and withdraw; jobs expire."""
    if by is None:
        return
    allowed = PARTNER_MOVES if by.role == Role.PARTNER else STAFF_MOVES
    if to not in allowed:
        raise PermissionDenied(_("That move is not yours to make."))


def release_reserved_place(referral: Referral) -> None:
    """Give back the place this referral took, once, whoever asks first."""
    if Referral.objects.filter(pk=referral.pk, place_reserved=True).update(place_reserved=False):
        referral.partner.release_place()


@transaction.atomic
def release_reserved_places(*, referrals: QuerySet[Referral]) -> None:
    """Give back the places these referrals took, one update per partner (a purge's batch)."""
    # Locked: a move releasing one of these places at the same time waits,
    # then finds it released, so no place is given back twice. Rows and
    # partners in key order, so two batches at once cannot deadlock.
    locked = list(
        referrals.filter(place_reserved=True)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", "partner_id")
    )
    Referral.objects.filter(pk__in=[pk for pk, _partner in locked]).update(place_reserved=False)
    for partner_id, places in sorted(Counter(partner for _pk, partner in locked).items()):
        Partner.objects.filter(pk=partner_id, capacity__isnull=False).update(
            capacity=F("capacity") + places
        )


@transaction.atomic
def referral_move(
    *, referral: Referral, to: str, by: User | None, note: str = ""
) -> ReferralChange:
    """Move a referral along its machine; a decline needs a reason."""
    _check_mover(to, by)
    # Lock the row and work on what is stored, not on the caller's copy,
    # which may be older than a move made meanwhile.
    locked = Referral.objects.select_for_update().select_related("partner").get(pk=referral.pk)
    current = locked.status
    check_transition(current, to)
    now = timezone.now()
    fields = ["status"]
    if to == S.SENT:
        _check_sendable(locked)
        locked.take_snapshot()
        locked.sent_at = now
        locked.ack_due_at = now + timedelta(hours=locked.partner.ack_deadline_hours)
        fields += ["shared_snapshot", "sent_at", "ack_due_at"]
    elif to == S.ACKNOWLEDGED:
        locked.acknowledged_at = locked.responded_at = now
        fields += ["acknowledged_at", "responded_at"]
    elif to == S.DECLINED:
        if not note.strip():
            raise ReferralError(_("Give the reason for declining."))
        locked.decline_reason = note
        locked.responded_at = locked.responded_at or now
        fields += ["decline_reason", "responded_at"]
    elif to == S.ACCEPTED:
        locked.place_reserved = locked.partner.reserve_place()
        locked.accepted_at = now
        fields += ["place_reserved", "accepted_at"]
    elif to == S.COMPLETED:
        locked.outcome_note = note
        fields += ["outcome_note"]
    if to in TERMINAL:
        locked.closed_at = now
        fields.append("closed_at")
    locked.status = to
    locked.save(update_fields=fields)
    if to in TERMINAL:
        release_reserved_place(locked)
    change = ReferralChange.objects.create(
        referral=locked, by=by, from_status=current, to_status=to, at=now
    )
    _audit(Action.REFERRAL_MOVE, locked, by, **{"from": current, "to": to})
    referral.refresh_from_db()
    return change


def _check_sendable(referral: Referral) -> None:
    if not referral.consent_given:
        raise ReferralError(_("Record the person's consent before sending."))
    if referral.needs_approval:
        raise ReferralError(_("Sharing the contact handle needs a coordinator's approval first."))
    case = Case.objects.only("status", "verification").get(pk=referral.case_id)
    if case.status == CaseStatus.CLOSED:
        raise ReferralError(_("The case is closed; reopen it before referring."))
    if case.verification == Verification.SUSPECTED:
        raise ReferralError(_("The case is suspected to be a provocation: nothing is sent."))


def referrals_expire(now=None) -> int:
    """Expire sent or acknowledged referrals still unanswered a grace period after the deadline."""
    now = now or timezone.now()
    grace = timedelta(hours=settings.CORRIDOR_REFERRAL_EXPIRE_AFTER_HOURS)
    stale = Referral.objects.filter(
        status__in=[S.SENT, S.ACKNOWLEDGED], ack_due_at__lt=now - grace
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(stale):
        try:
            referral_move(referral=Referral(pk=pk), to=S.EXPIRED, by=None)
        except ReferralError:
            continue  # moved meanwhile (accepted, declined): nothing to expire
        expired += 1
    return expired
