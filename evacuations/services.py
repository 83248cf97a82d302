"""Work on evacuation plans: legs, their arrival checks, completion, route templates.

Every function takes `by`, the user acting; the audit trail records what
changed by code and field name, never a value.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import record
from evacuations.models import (
    DocumentKind,
    DocumentStatus,
    Leg,
    LegKind,
    Plan,
    PlanDocument,
    RouteTemplate,
    RouteTemplateLeg,
)
from evacuations.status import (
    LegStatus,
    NextStep,
    PlanError,
    PlanStatus,
    check_leg_move,
)
from intake import services as intake
from intake.choices import Verification
from intake.models import Case
from intake.status import TRANSITIONS
from intake.status import Status as CaseStatus

PLAN_FIELDS = ["destination_country", "destination_city"]
LEG_FIELDS = [
    "kind",
    "partner_kind",
    "referral",
    "planned_start",
    "planned_end",
    "details",
    "partner_details",
]


def _audit(action: str, plan: Plan, by: User, **detail) -> None:
    detail = {"case": plan.case.reference, **detail}
    record(action, actor=by, object_type="evacuation", object_ref=plan.reference, detail=detail)


def _locked(plan: Plan) -> Plan:
    """Lock the plan for a change to its legs, and refuse if it is no longer open.

    Two caseworkers reordering or adding at once must not give two legs one
    place, and nothing changes on a plan someone has just closed.
    """
    status = Plan.objects.select_for_update().values_list("status", flat=True).get(pk=plan.pk)
    if status != PlanStatus.OPEN:
        raise PlanError(_("This plan is closed: its legs no longer change."))
    return plan


def _refuse_suspected(case: Case) -> None:
    # As with referrals: a meeting point sent on a set-up walks a partner into it.
    if case.verification == Verification.SUSPECTED:
        raise PlanError(
            _("The case is suspected to be a provocation: no evacuation is planned or shared.")
        )


@transaction.atomic
def plan_open(
    *,
    case: Case,
    data: dict,
    by: User,
    template: RouteTemplate | None = None,
    start_on: date | None = None,
) -> Plan:
    """Open a plan on a case, empty or with the legs of a route template."""
    if case.status == CaseStatus.CLOSED:
        raise PlanError(_("This case is closed: reopen it before planning an evacuation."))
    _refuse_suspected(case)
    # Lock the case: two caseworkers opening a plan at once get one plan and a message.
    Case.objects.select_for_update().values_list("pk", flat=True).get(pk=case.pk)
    if Plan.objects.open().filter(case=case).exists():
        raise PlanError(_("This case already has an open evacuation plan."))
    plan = Plan(case=case, created_by=by, template=template, **{k: data[k] for k in PLAN_FIELDS})
    plan.full_clean(exclude=["case", "template", "created_by"], validate_constraints=False)
    plan.save()
    PlanDocument.objects.bulk_create(PlanDocument(plan=plan, kind=k) for k in DocumentKind.values)
    if template is not None:
        _legs_from_template(plan, template, start_on)
    _audit(Action.CREATE, plan, by, route=template.reference if template else "")
    return plan


def _legs_from_template(plan: Plan, template: RouteTemplate, start_on: date | None) -> None:
    """Lay the route's legs end to end from the start date, with their typical durations."""
    day = start_on
    legs = []
    for position, step in enumerate(template.legs.all(), start=1):
        end = day + timedelta(days=step.typical_days) if day else None
        legs.append(
            Leg(
                plan=plan,
                position=position,
                kind=step.kind,
                partner_kind=step.partner_kind,
                planned_start=day,
                planned_end=end,
            )
        )
        day = end
    Leg.objects.bulk_create(legs)


def _check_referral(plan: Plan, data: dict) -> None:
    referral = data.get("referral")
    if referral is not None or data.get("partner_details"):
        _refuse_suspected(plan.case)
    if referral is not None and referral.case_id != plan.case_id:
        raise PlanError(_("Choose a referral of this case."))
    if data.get("partner_details") and referral is None:
        raise PlanError(_("Details for the partner need a partner: choose its referral."))


@transaction.atomic
def leg_add(*, plan: Plan, data: dict, by: User) -> Leg:
    _locked(plan)
    _check_referral(plan, data)
    last = plan.legs.aggregate(last=Max("position"))["last"] or 0
    leg = Leg(plan=plan, position=last + 1, **{k: data[k] for k in LEG_FIELDS})
    leg.full_clean(exclude=["plan", "referral", "checkin"], validate_constraints=False)
    leg.save()
    _audit(Action.UPDATE, plan, by, leg=leg.key, added=leg.kind)
    return leg


@transaction.atomic
def leg_update(*, leg: Leg, data: dict, by: User) -> Leg:
    """Change a leg that has not ended; a later end of a leg under way is a new arrival check."""
    _locked(leg.plan)
    leg.refresh_from_db(fields=["status"])
    if not leg.is_pending:
        raise PlanError(_("This leg has ended: it no longer changes."))
    _check_referral(leg.plan, data)
    if leg.status == LegStatus.UNDER_WAY and data.get("planned_end") is None:
        raise PlanError(_("A leg under way needs a planned end: its arrival is checked by then."))
    changed = [k for k in LEG_FIELDS if getattr(leg, k) != data[k]]
    if "referral" in changed and "partner_details" not in changed and leg.partner_details:
        raise PlanError(
            _("The details for the partner were written for another one: rewrite or clear them.")
        )
    for name in changed:
        setattr(leg, name, data[name])
    leg.full_clean(exclude=["plan", "referral", "checkin"], validate_constraints=False)
    leg.save()
    if leg.status == LegStatus.UNDER_WAY and "planned_end" in changed:
        # A new deadline is a new check: the old one is answered (it may have
        # escalated already, once) and the new one escalates once if missed.
        if leg.checkin_id:
            intake.checkin_heard(checkin=leg.checkin, by=by)
        leg.checkin = intake.checkin_set(case=leg.plan.case, due_at=leg.arrival_due(), by=by)
        leg.save(update_fields=["checkin"])
    if changed:
        _audit(Action.UPDATE, leg.plan, by, leg=leg.key, fields=changed)
    return leg


def _move(leg: Leg, target: str) -> str:
    """Check the leg's move against its state as stored now; return where it was."""
    current = Leg.objects.select_for_update().values_list("status", flat=True).get(pk=leg.pk)
    check_leg_move(current, target)
    return current


@transaction.atomic
def leg_start(*, leg: Leg, by: User) -> Leg:
    """The leg is under way: from now its arrival is a check-in that escalates if missed."""
    plan = _locked(leg.plan)
    _move(leg, LegStatus.UNDER_WAY)
    if leg.planned_end is None:
        raise PlanError(_("Set the planned end first: arrival is checked by then."))
    now = timezone.now()
    leg.checkin = intake.checkin_set(case=plan.case, due_at=leg.arrival_due(), by=by)
    leg.status = LegStatus.UNDER_WAY
    leg.started_at = now
    leg.save(update_fields=["status", "started_at", "checkin"])
    # The first leg under way starts the evacuation; a later one leaves it alone.
    Plan.objects.filter(pk=plan.pk, started_at__isnull=True).update(started_at=now)
    _audit(Action.STATUS, plan, by, leg=leg.key, to=LegStatus.UNDER_WAY)
    return leg


def _end(leg: Leg, target: str, by: User, outcome: str) -> str:
    was = _move(leg, target)
    leg.status = target
    leg.ended_at = timezone.now()
    leg.outcome = outcome
    leg.save(update_fields=["status", "ended_at", "outcome"])
    if leg.checkin_id:
        # Confirmed, failed or called off: either way someone answered for it.
        intake.checkin_heard(checkin=leg.checkin, by=by)
    _audit(Action.STATUS, leg.plan, by, leg=leg.key, to=target)
    return was


@transaction.atomic
def leg_arrived(*, leg: Leg, by: User) -> Leg:
    """Confirm the leg ended as planned; an arrival leg marks the plan as arrived."""
    plan = _locked(leg.plan)
    _end(leg, LegStatus.DONE, by, "")
    if leg.kind == LegKind.ARRIVAL:
        Plan.objects.filter(pk=plan.pk, arrived_at__isnull=True).update(arrived_at=leg.ended_at)
    return leg


@transaction.atomic
def leg_fail(*, leg: Leg, next_step: str, by: User, outcome: str = "") -> Leg | None:
    """Record a failed leg and do what the caseworker chose next; return a retry leg if any."""
    plan = _locked(leg.plan)
    if next_step not in NextStep.values:
        raise PlanError(_("Choose what happens next."))
    _end(leg, LegStatus.FAILED, by, outcome)
    if next_step == NextStep.RETRY:
        return _insert_after(leg, by)
    if next_step == NextStep.STOP:
        _cancel(plan, by, outcome)
    return None


def _insert_after(leg: Leg, by: User) -> Leg:
    """The same leg once more, right after the failed one, dated from today for as long."""
    plan = leg.plan
    plan.legs.filter(position__gt=leg.position).update(position=F("position") + 1)
    today = timezone.localdate()
    length = None
    if leg.planned_end:
        length = leg.planned_end - (leg.planned_start or leg.planned_end)
    retry = Leg.objects.create(
        planned_start=today,
        planned_end=today + length if length is not None else None,
        plan=plan,
        position=leg.position + 1,
        kind=leg.kind,
        partner_kind=leg.partner_kind,
        referral=leg.referral,
        details=leg.details,
        partner_details=leg.partner_details,
    )
    _audit(Action.UPDATE, plan, by, leg=retry.key, added=retry.kind, retry_of=leg.key)
    return retry


@transaction.atomic
def leg_cancel(*, leg: Leg, by: User) -> Leg:
    _locked(leg.plan)
    _end(leg, LegStatus.CANCELLED, by, "")
    return leg


@transaction.atomic
def leg_reorder(*, leg: Leg, up: bool, by: User) -> None:
    """Swap a planned leg with the planned leg before (or after) it."""
    plan = _locked(leg.plan)
    legs = list(plan.legs.only("pk", "position", "status"))
    mine = next(i for i, other in enumerate(legs) if other.pk == leg.pk)
    other = mine - 1 if up else mine + 1
    if not 0 <= other < len(legs):
        raise PlanError(_("This leg is already at the end of the plan."))
    a, b = legs[mine], legs[other]
    if a.status != LegStatus.PLANNED or b.status != LegStatus.PLANNED:
        raise PlanError(_("Only planned legs change places: what happened stays in order."))
    # Positions may repeat after earlier changes: renumber the whole plan in its new order.
    legs[mine], legs[other] = b, a
    for position, each in enumerate(legs, start=1):
        if each.position != position:
            Leg.objects.filter(pk=each.pk).update(position=position)
    _audit(Action.UPDATE, plan, by, leg=leg.key, moved="up" if up else "down")


@transaction.atomic
def documents_set(*, plan: Plan, statuses: dict[str, str], by: User) -> None:
    _locked(plan)
    changed = []
    for document in plan.documents.all():
        new = statuses.get(document.kind)
        if new in DocumentStatus.values and new != document.status:
            document.status = new
            document.save(update_fields=["status"])
            changed.append(document.kind)
    if changed:
        _audit(Action.UPDATE, plan, by, documents=changed)


def can_relocate(case: Case) -> bool:
    return CaseStatus.RELOCATED in TRANSITIONS[case.status]


def open_plan_refusal(case: Case) -> str | None:
    """Why the case may not close yet, for intake/closing.py (registered in apps.py)."""
    if case.evacuation_plans.filter(status=PlanStatus.OPEN).exists():
        # Its legs would keep escalating on a closed case, due for purge.
        return _("Complete or cancel the open evacuation plan first.")
    return None


@transaction.atomic
def plan_complete(*, plan: Plan, by: User, relocate: bool, not_relocated: str = "") -> Plan:
    """Close an arrived plan; the case moves to "relocated", or the caller says why not."""
    _locked(plan)
    problem = plan.completion_problem()
    if problem:
        raise PlanError(problem)
    case = plan.case
    already = case.status in {CaseStatus.RELOCATED, CaseStatus.CLOSED}
    if not already and not (relocate and can_relocate(case)):
        if not not_relocated:
            raise PlanError(_("Say why the case does not move to “Relocated”."))
        plan.not_relocated = not_relocated
    plan.status = PlanStatus.COMPLETED
    plan.closed_at = timezone.now()
    plan.save(update_fields=["status", "closed_at", "not_relocated"])
    _audit(Action.STATUS, plan, by, to=PlanStatus.COMPLETED, why_not=plan.not_relocated)
    if not already and relocate and can_relocate(case):
        intake.case_move(case=case, to=CaseStatus.RELOCATED, by=by)
    return plan


def _cancel(plan: Plan, by: User, note: str) -> None:
    for leg in plan.pending_legs():
        _end(leg, LegStatus.CANCELLED, by, "")
    plan.status = PlanStatus.CANCELLED
    plan.closed_at = timezone.now()
    plan.outcome_note = note
    plan.save(update_fields=["status", "closed_at", "outcome_note"])
    _audit(Action.STATUS, plan, by, to=PlanStatus.CANCELLED)


@transaction.atomic
def plan_cancel(*, plan: Plan, by: User, note: str = "") -> Plan:
    """Call the evacuation off: every leg still to happen is cancelled with it."""
    _cancel(_locked(plan), by, note)
    return plan


def _case_strings(plan: Plan) -> list[str]:
    """What of the case and plan a route name must not repeat.

    Not the destination city: "… to Tbilisi" names where a route goes, which
    is the route's to say; tied to a person on the plan, the city is encrypted.
    """
    case = plan.case
    texts = [case.alias, case.contact_handle, case.location, case.reference, plan.reference]
    return [t.strip().casefold() for t in texts if t and len(t.strip()) >= 3]


@transaction.atomic
def route_template_save(*, plan: Plan, name: str, by: User) -> RouteTemplate:
    """Keep the structure of an arrived plan: leg kinds, partner roles, days. Nothing else."""
    if plan.status != PlanStatus.COMPLETED:
        raise PlanError(_("Only a completed plan becomes a route."))
    folded = name.casefold()
    if any(text in folded for text in _case_strings(plan)):
        raise PlanError(_("The route name repeats something of this case: name the route only."))
    template = RouteTemplate(
        name=name,
        origin_region=plan.case.region,
        destination_country=plan.destination_country,
    )
    template.full_clean()
    template.save()
    done = plan.legs.filter(status=LegStatus.DONE).select_related("referral__partner")
    for position, leg in enumerate(done, start=1):
        partner_kind = leg.partner.kind if leg.partner else leg.partner_kind
        RouteTemplateLeg.objects.create(
            template=template,
            position=position,
            kind=leg.kind,
            partner_kind=partner_kind,
            typical_days=leg.days_taken or 0,
        )
    record(
        Action.CREATE,
        actor=by,
        object_type="route",
        object_ref=template.reference,
        # Not the plan it came from: the trail would tie the route to a person.
        detail={"legs": len(done)},
    )
    return template
