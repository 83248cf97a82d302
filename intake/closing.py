"""What keeps a case from closing, as the apps above intake decide it.

Intake may not import them (docs/architecture.md): each registers its check
here in its AppConfig.ready (evacuations: an open plan). A check returns the
message for the user, or None when it has no objection.
"""

from collections.abc import Callable

from intake.models import Case

Check = Callable[[Case], str | None]
_checks: list[Check] = []


def register(check: Check) -> None:
    if check not in _checks:
        _checks.append(check)


def refusal(case: Case) -> str | None:
    """The first objection to closing this case, if any."""
    for check in _checks:
        message = check(case)
        if message:
            return message
    return None
