"""The referral summary keeps a draft while it is typed, new or being changed."""

from django.http import Http404

from drafts import registry
from intake.selectors import get_case_for
from referrals.forms import ReferralForm
from referrals.selectors import get_referral_for

NEW, EDIT = "referral_new", "referral"


def new_scope(case, partner, service: str) -> str:
    """One draft per case, partner and service: a summary is written for one partner."""
    return f"{case.reference}:{partner.reference}:{service}"


def _new(user, scope: str):
    case_ref, _, _ = scope.partition(":")
    if not case_ref:
        raise Http404
    return get_case_for(user, case_ref, write=True)


def _edit(user, scope: str):
    return get_referral_for(user, scope, write=True).case


def register() -> None:
    registry.register(NEW, form=ReferralForm, case_for=_new)
    registry.register(EDIT, form=ReferralForm, case_for=_edit)
