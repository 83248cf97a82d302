"""One way to refuse (core/errors.py): who may → PermissionDenied; may it now → Refused."""

import inspect
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied

from core.errors import Refused
from intake import services as intake_services
from referrals import services as referral_services
from tests.factories import CaseFactory, ReferralFactory


def domain_errors() -> dict[str, type]:
    """Every `*Error` an app's status or services module defines."""
    found = {}
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR):
            continue
        for name in ("status", "services"):
            module_name = f"{config.name}.{name}"
            if find_spec(module_name) is None:
                continue
            module = import_module(module_name)
            for attr, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, Exception)
                    and value.__module__ == module_name
                    and attr.endswith("Error")
                ):
                    found[f"{module_name}.{attr}"] = value
    return found


def test_each_apps_domain_error_is_a_refusal():
    errors = domain_errors()
    assert {"intake.status.TransitionError", "referrals.status.ReferralError"} <= set(errors)
    assert "evacuations.status.PlanError" in errors
    assert {name for name, error in errors.items() if not issubclass(error, Refused)} == set()


def test_a_refusal_is_still_a_value_error():
    # Callers that caught ValueError before keep catching it.
    assert issubclass(Refused, ValueError) and not issubclass(Refused, PermissionDenied)


def test_a_role_checked_again_in_a_service_is_permission_denied(
    db, team_a, caseworker, partner, partner_org
):
    referral = ReferralFactory(
        case=CaseFactory(team=team_a), partner=partner_org, shared_fields=["contact_handle"]
    )
    with pytest.raises(PermissionDenied):
        referral_services.referral_approve(
            referral=referral, by=caseworker, seen_shared=["contact_handle"]
        )
    with pytest.raises(PermissionDenied):
        referral_services.referral_move(referral=referral, to="sent", by=partner)
    suspected = CaseFactory(team=team_a, verification="suspected")
    with pytest.raises(PermissionDenied):
        intake_services.case_set_verification(
            case=suspected, verification="unverified", by=caseworker
        )
