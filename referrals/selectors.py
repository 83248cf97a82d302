"""Queries that decide which referrals and partners a user may see."""

from django.core.exceptions import PermissionDenied
from django.db.models import Case as DbCase
from django.db.models import QuerySet, Value, When
from django.http import Http404

from accounts.models import Role, User
from intake.selectors import through_visible_case
from referrals.models import Partner, PartnerStaff, Referral, overdue_condition
from referrals.status import OPEN, ReferralStatus


def partner_of(user: User) -> Partner | None:
    """The organisation a partner-role user works for, if any and if active."""
    if not user.is_authenticated or not user.is_active or user.role != Role.PARTNER:
        return None
    staff = PartnerStaff.objects.select_related("partner").filter(user=user).first()
    return staff.partner if staff and staff.partner.active else None


def referrals_for_staff(user: User) -> QuerySet[Referral]:
    """Referrals of the cases a team member may see."""
    return Referral.objects.filter(through_visible_case(user))


def get_referral_for(user: User, reference: str, *, write=False, coordinate=False) -> Referral:
    """The staff side: 404 unless the user sees the case, 403 if they may not act."""
    referral = (
        referrals_for_staff(user)
        .select_related("case", "partner", "approved_by")
        .filter(reference=reference)
        .first()
    )
    if referral is None:
        raise Http404
    if (write and not user.works_cases) or (coordinate and not user.coordinates):
        raise PermissionDenied
    return referral


def referrals_for_partner(user: User) -> QuerySet[Referral]:
    """What a partner's staff may see: sent referrals addressed to their organisation."""
    partner = partner_of(user)
    if partner is None or user.shielded:  # a shielded partner: their organisation, no work
        return Referral.objects.none()
    return Referral.objects.filter(partner=partner).exclude(status=ReferralStatus.DRAFT)


def get_partner_referral(user: User, reference: str) -> Referral:
    referral = (
        referrals_for_partner(user).select_related("case", "partner").filter(reference=reference)
    ).first()
    if referral is None:
        raise Http404
    return referral


def open_referrals_for(user: User) -> QuerySet[Referral]:
    """The team's open referrals, overdue ones first (not acknowledged or not completed in time)."""
    return (
        referrals_for_staff(user)
        .filter(status__in=OPEN)
        .select_related("case", "partner")
        .defer("summary", "decline_reason", "outcome_note", "partner__contact_details")
        .annotate(
            overdue=DbCase(
                When(overdue_condition(), then=Value(0)),
                default=Value(1),
            )
        )
        .order_by("overdue", "ack_due_at", "sent_at", "pk")
    )
