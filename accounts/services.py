"""Work on accounts: ending access at once."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, StaffSession, User
from accounts.sessions import stored_key
from accounts.two_factor import remove_devices
from audit.models import Action
from audit.services import record


def may_revoke(by: User, user: User) -> bool:
    """Admins revoke anyone but themselves; coordinators the members of their teams;
    an account under duress or asleep, nobody."""
    if user.pk == by.pk or not by.is_active or by.shielded:
        return False
    if by.role == Role.ADMIN:
        return True
    return by.coordinates and user.teams.filter(pk__in=by.teams.all()).exists()


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete every live session of the user but `keep` (a stored session key).

    One indexed delete, whatever the number of sessions (StaffSession.user_id):
    a duress sign-in, which calls this, takes what a real one takes.
    """
    sessions = StaffSession.objects.filter(user_id=user.pk, expire_date__gt=timezone.now())
    return sessions.exclude(session_key=keep or "").delete()[0]


@transaction.atomic
def two_factor_replace(*, request) -> int:
    """Drop the user's authenticator and recovery codes, end their other sessions."""
    user = request.user
    remove_devices(user)
    ended = end_sessions(user, keep=stored_key(request.session.session_key))
    record(Action.TWO_FACTOR, request=request, detail={"event": "replaced", "ended": ended})
    return ended


@transaction.atomic
def user_revoke(*, user: User, by: User) -> int:
    """Disable the account, remove its second factors and end every session now."""
    if not may_revoke(by, user):
        raise PermissionDenied
    user.is_active = False
    user.save(update_fields=["is_active"])
    remove_devices(user)
    ended = end_sessions(user)
    record(
        Action.REVOKE,
        actor=by,
        object_type="user",
        object_ref=str(user.pk),
        detail={"sessions_ended": ended},
    )
    return ended
