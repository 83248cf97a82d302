"""Writing and reading messages: the person's side (called by portal/) and the team's.

A message's body is encrypted; the trail records that one was written or
read, by whom and on which case, never what it says. So are the team's
reply templates: the trail names the template by id, never its title or text.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from audit.models import Action
from audit.services import record
from conversations.models import MESSAGE_MAX, TEMPLATE_TITLE_MAX, Message, ReplyTemplate
from core.forms import reject_control_characters
from intake.models import Case

Direction = Message.Direction


def _audit(action: str, case: Case, by: User | None, **detail) -> None:
    record(action, actor=by, object_type="case", object_ref=case.reference, detail=detail)


def _check_text(value: str, *, field: str, limit: int) -> None:
    """Refuse what no form should have let through (a caller other than a form, a bug).

    The encrypted text fields carry no length validator (a TextField's
    max_length is not checked by full_clean), and the column holds
    ciphertext, so the database cannot check it either: this is the check.
    """
    if not value or not value.strip():
        raise ValidationError({field: _("Write something first.")})
    if len(value) > limit:
        raise ValidationError(
            {field: _("At most %(n)d characters: shorten it first.") % {"n": limit}}
        )
    try:
        reject_control_characters(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


@transaction.atomic
def person_writes(*, case: Case, body: str, under_duress: bool = False) -> Message:
    """The person's message from the portal. No staff actor: the trail says "portal"."""
    _check_text(body, field="body", limit=MESSAGE_MAX)
    message = Message(case=case, direction=Direction.PERSON, body=body, under_duress=under_duress)
    message.full_clean(exclude=["case", "by"])
    message.save()
    _audit(Action.CREATE, case, None, message=message.pk, via="portal")
    return message


def conversation(case: Case) -> list[Message]:
    """Every message of the case, oldest first, with reply authors."""
    return list(case.messages.select_related("by").order_by("created_at", "pk"))


def person_reads(*, case: Case) -> int:
    """The person has seen the team's replies: mark those not yet shown as read."""
    return case.messages.filter(direction=Direction.TEAM, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def team_replies(*, case: Case, body: str, by: User) -> Message:
    """A staff member's reply to the person, audited as a note is: its id, never its text."""
    # The view asked get_case_for(write=True); a caller that did not must not
    # let an operator or a partner write to the person in the team's name.
    if not by.works_cases:
        raise PermissionDenied
    _check_text(body, field="body", limit=MESSAGE_MAX)
    message = Message(case=case, direction=Direction.TEAM, body=body, by=by)
    message.full_clean(exclude=["case", "by"])
    message.save()
    _audit(Action.CREATE, case, by, message=message.pk)
    # A reply is activity: a request being worked is not stale.
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return message


@transaction.atomic
def team_reads(*, case: Case, by: User) -> int:
    """The case page showed the person's messages to `by`: mark the unread ones read.

    Returns how many were new to the team. The trail says how many were
    read and by whom; which ones it need not say (they are all the unread
    ones, up to this moment), and what they say it must not.
    """
    # One conditional update is the claim: of two people opening the page at
    # once, each marks and records only what was still unread.
    read = case.messages.unread_by_team().update(read_at=timezone.now())
    if read:
        _audit(Action.VIEW, case, by, messages_read=read)
    return read


def _template_audit(action: str, template: ReplyTemplate, by: User, **detail) -> None:
    record(
        action,
        actor=by,
        object_type="reply_template",
        object_ref=str(template.pk),
        detail={"team": template.team_id, **detail},
    )


def _check_template(*, by: User, team: Team) -> None:
    if not by.coordinates or not by.teams.filter(pk=team.pk).exists():
        raise PermissionDenied


def _check_template_fields(title: str, body: str) -> None:
    _check_text(title, field="title", limit=TEMPLATE_TITLE_MAX)
    _check_text(body, field="body", limit=MESSAGE_MAX)


@transaction.atomic
def reply_template_create(
    *, team: Team, language: str, title: str, body: str, by: User
) -> ReplyTemplate:
    _check_template(by=by, team=team)
    _check_template_fields(title, body)
    template = ReplyTemplate(team=team, language=language, title=title, body=body, created_by=by)
    template.full_clean(exclude=["team", "created_by"])
    template.save()
    _template_audit(Action.CREATE, template, by, language=language)
    return template


@transaction.atomic
def reply_template_update(
    *, template: ReplyTemplate, language: str, title: str, body: str, by: User
) -> ReplyTemplate:
    _check_template(by=by, team=template.team)
    _check_template_fields(title, body)
    changed = [
        name
        for name, value in (("language", language), ("title", title), ("body", body))
        if getattr(template, name) != value
    ]
    template.language, template.title, template.body = language, title, body
    template.full_clean(exclude=["team", "created_by"])
    template.save()
    # The names of the fields changed, never what they hold.
    _template_audit(Action.UPDATE, template, by, fields=changed)
    return template


@transaction.atomic
def reply_template_delete(*, template: ReplyTemplate, by: User) -> None:
    _check_template(by=by, team=template.team)
    _template_audit(Action.UPDATE, template, by, deleted=True)
    template.delete()
