"""The intake forms that keep drafts while they are typed, and who may write them."""

from django.http import Http404

from drafts import registry
from intake.forms import IntakeForm, NoteForm
from intake.selectors import get_case_for, require_case_staff

REQUEST, NOTE = "request", "note"


def _request(user, scope: str):
    require_case_staff(user)
    if scope:
        raise Http404
    return None


def _note(user, scope: str):
    return get_case_for(user, scope, write=True)


def register() -> None:
    registry.register(REQUEST, form=IntakeForm, case_for=_request)
    registry.register(NOTE, form=NoteForm, case_for=_note)
