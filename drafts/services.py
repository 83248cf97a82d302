import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.http import Http404, QueryDict
from django.utils import timezone

from accounts.models import User
from drafts import registry
from drafts.models import Draft

# More than any form here takes (a 20,000-character narrative, in Russian):
# a draft is no way to store what the form itself would refuse.
MAX_CHARS = 60_000


class DraftTooLarge(ValueError):
    """The typed text is longer than any form accepts."""


@dataclass(frozen=True)
class Slot:
    """A form's place for a draft: what to restore into it, and how to name it."""

    form: str
    scope: str
    draft: Draft | None

    def initial(self) -> dict:
        """The draft's values as a form's initial data (nothing if there is no draft)."""
        if self.draft is None:
            return {}
        values = json.loads(self.draft.data)
        initial = {}
        for name, field in registry.get(self.form).fields.items():
            if name not in values:
                continue
            sent = values[name]
            if getattr(field.widget, "allow_multiple_selected", False):
                initial[name] = sent
            elif isinstance(field, forms.BooleanField):
                # A browser sends a ticked box only: nothing sent is "unticked",
                # never "as stored" (consent taken back must stay taken back).
                initial[name] = bool(sent)
            else:
                initial[name] = sent[-1] if sent else ""
        return initial


def _fresh() -> datetime:
    return timezone.now() - timedelta(hours=settings.DRAFT_MAX_AGE_HOURS)


def draft_slot(*, user: User, form: str, scope: str = "", read: bool = True) -> Slot:
    """The user's own draft of this form, if one was saved and has not expired.

    read=False names the slot without reading it: a posted form is bound to
    what was sent, and intake is the busiest POST there is.
    """
    draft = None
    # A shielded session (duress, travel) is never shown what was typed before.
    if read and not user.shielded:
        draft = Draft.objects.filter(
            author=user, form=form, scope=scope, updated_at__gte=_fresh()
        ).first()
    return Slot(form, scope, draft)


def _typed(entry: registry.DraftForm, values: dict[str, list[str]]) -> bool:
    return any(
        isinstance(field, forms.CharField) and any(v.strip() for v in values.get(name, []))
        for name, field in entry.fields.items()
    )


def draft_save(*, user: User, form: str, scope: str, data: QueryDict) -> Draft | None:
    """Keep what is typed into one form, encrypted; None when nothing is typed any more."""
    entry = registry.get(form)
    if entry is None or len(scope) > Draft._meta.get_field("scope").max_length:
        raise Http404
    # The form's own access check: a draft for a case one may not write is a 404.
    case = entry.case_for(user, scope)
    # Only the form's own fields, never the CSRF token nor anything else sent
    # along; every one of them, since an unticked box or an emptied list is
    # simply not sent.
    values = {name: data.getlist(name) for name in entry.fields}
    if not _typed(entry, values):
        draft_discard(user=user, form=form, scope=scope)
        return None
    text = json.dumps(values, ensure_ascii=False)
    if len(text) > MAX_CHARS:
        raise DraftTooLarge
    if user.shielded:
        # Answered as saved, kept nowhere: the real draft stays as the person left it.
        return Draft(author=user, form=form, scope=scope, updated_at=timezone.now())
    draft, _ = Draft.objects.update_or_create(
        author=user,
        form=form,
        scope=scope,
        defaults={"data": text, "case": case, "updated_at": timezone.now()},
    )
    return draft


def draft_discard(*, user: User, form: str, scope: str = "") -> None:
    if user.shielded:  # a shielded session neither reads nor removes the real draft
        return
    Draft.objects.filter(author=user, form=form, scope=scope).delete()


def drafts_purge_stale() -> int:
    """Delete every draft older than DRAFT_MAX_AGE_HOURS; return how many."""
    deleted, _ = Draft.objects.filter(updated_at__lt=_fresh()).delete()
    return deleted
