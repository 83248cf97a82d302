"""A leg's details keep a draft while they are typed, new or being changed."""

from drafts import registry
from evacuations.forms import LegForm
from evacuations.selectors import get_leg, get_plan_for

NEW, EDIT = "leg_new", "leg"


def edit_scope(plan, leg) -> str:
    return f"{plan.reference}:{leg.key}"


def _new(user, scope: str):
    return get_plan_for(user, scope, write=True).case


def _edit(user, scope: str):
    plan_ref, _, key = scope.partition(":")
    plan = get_plan_for(user, plan_ref, write=True)
    get_leg(plan, key)
    return plan.case


def register() -> None:
    registry.register(NEW, form=LegForm, case_for=_new)
    registry.register(EDIT, form=LegForm, case_for=_edit)
