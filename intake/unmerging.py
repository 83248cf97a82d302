"""What a higher app undoes when a case closed as a duplicate is reopened.

Intake may not import them (docs/architecture.md): network registers the
removal of the "duplicate" link from its AppConfig.ready. A hook is called
with the reopened case and the id of the case it had been merged into,
inside the status move's transaction.
"""

from collections.abc import Callable

from intake.models import Case

Hook = Callable[[Case, int], None]
_hooks: list[Hook] = []


def register(hook: Hook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def unmerged(case: Case, survivor_id: int) -> None:
    for hook in _hooks:
        hook(case, survivor_id)
