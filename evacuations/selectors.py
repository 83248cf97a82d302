"""Queries that decide which plans, legs and routes a user may see."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from evacuations.models import Leg, Plan, RouteTemplate
from evacuations.status import LegStatus
from intake.choices import Verification
from intake.selectors import require_case_staff, through_visible_case
from referrals.models import Referral

# What the plan pages never show of the case and of a leg's referral: left
# unread, so they are neither decrypted for nothing nor in memory in the clear.
CASE_UNSHOWN = ("contact_handle", "safe_contact", "location", "narrative")
REFERRAL_UNSHOWN = ("summary", "shared_snapshot", "decline_reason", "outcome_note")


def plans_visible_to(user: User) -> QuerySet[Plan]:
    """Plans of the cases the user may see: the case decides, as everywhere."""
    return Plan.objects.filter(through_visible_case(user))


def get_plan_for(user: User, reference: str, *, write: bool = False) -> Plan:
    """The plan if the user may see its case, else 404; 403 if they may see but not act."""
    plan = (
        plans_visible_to(user)
        .select_related("case", "case__team", "template")
        .defer(*(f"case__{name}" for name in CASE_UNSHOWN))
        .filter(reference=reference)
        .first()
    )
    if plan is None:
        raise Http404
    if write and not user.works_cases:
        raise PermissionDenied
    return plan


def get_leg(plan: Plan, key: str) -> Leg:
    leg = _with_referral(plan.legs.all()).filter(key=key).first()
    if leg is None:
        raise Http404
    leg.plan = plan  # already checked and loaded: no second read
    return leg


def legs_of(plan: Plan) -> list[Leg]:
    return list(_with_referral(plan.legs.select_related("checkin")))


def _with_referral(legs: QuerySet[Leg]) -> QuerySet[Leg]:
    unshown = [f"referral__{name}" for name in REFERRAL_UNSHOWN]
    return legs.select_related("referral__partner").defer(
        *unshown, "referral__partner__contact_details"
    )


def legs_for_partner(referral: Referral, *, channels_burned: bool = False) -> list[Leg]:
    """The legs a partner takes part in through this referral: never the rest of the plan.

    The caller has already checked that the referral is addressed to the
    partner's organisation; a cancelled leg is no business of theirs. Once
    the person's device is compromised, a meeting point agreed over it may be
    known to the police: the details for the partner are withheld, as the
    contact handle is. Nothing at all for a suspected provocation.
    """
    if not referral.is_open:
        return []
    fields = ["key", "kind", "status", "planned_start", "planned_end", "position", "plan_id"]
    legs = list(
        Leg.objects.filter(referral=referral)
        .exclude(status=LegStatus.CANCELLED)
        .exclude(plan__case__verification=Verification.SUSPECTED)
        .only(*fields, *([] if channels_burned else ["partner_details"]))
    )
    if channels_burned:
        for leg in legs:
            leg.partner_details = ""  # never read from the database, never shown
    return legs


def routes_for(user: User) -> QuerySet[RouteTemplate]:
    """Route templates are the organisation's: every team's case staff may use them;
    a shielded account (duress, travel) finds none."""
    require_case_staff(user)
    if user.shielded:
        return RouteTemplate.objects.none()
    return RouteTemplate.objects.prefetch_related("legs")


def get_route_for(user: User, reference: str, *, coordinate: bool = False) -> RouteTemplate:
    route = routes_for(user).filter(reference=reference).first()
    if route is None:
        raise Http404
    if coordinate and not user.coordinates:
        raise PermissionDenied
    return route
