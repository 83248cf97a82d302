"""Which forms keep drafts, and whose they may be.

Drafts sit below the apps whose forms they keep: each app registers its
forms here (in its AppConfig.ready) with the one access check that decides
whether a user may write that form for that scope, so this app imports none
of them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms

from accounts.models import User


@dataclass(frozen=True)
class DraftForm:
    name: str
    form: type[forms.BaseForm]
    # Return the case the draft belongs to (None for a new request), or
    # raise Http404 / PermissionDenied exactly as the form's own view would.
    case_for: Callable[[User, str], object]

    @property
    def fields(self) -> dict[str, forms.Field]:
        return self.form.base_fields


_forms: dict[str, DraftForm] = {}


def register(name: str, *, form: type[forms.BaseForm], case_for: Callable) -> None:
    _forms[name] = DraftForm(name, form, case_for)


def get(name: str) -> DraftForm | None:
    return _forms.get(name)
