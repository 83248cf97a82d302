"""Writing and reading messages: the person's side (called by portal/) and the team's.

A message's body is encrypted; the trail records that one was written or
read, by whom and on which case, never what it says.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import Action
from audit.services import record
from conversations.models import Message
from intake.models import Case

Direction = Message.Direction


def _audit(action: str, case: Case, by: User | None, **detail) -> None:
    record(action, actor=by, object_type="case", object_ref=case.reference, detail=detail)


@transaction.atomic
def person_writes(*, case: Case, body: str, under_duress: bool = False) -> Message:
    """The person's message from the portal. No staff actor: the trail says "portal"."""
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
