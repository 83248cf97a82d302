"""Coercion: a duress password, and travel mode.

Either one shields the account (User.shielded): every session of it sees
its real name and team and an empty workload, because the queries that
decide what anyone sees (intake.selectors.team_ids and the few beside it)
find nothing for it. Pages, cookies and session data are those of any
session; only what the queries find differs.

A duress sign-in also, in the sign-in's own transaction: ends every other
session of the account, suspends the account (its real password opens the
same harmless workload until a coordinator or admin restores it), writes
an audit event the account cannot list, and alerts the coordinators. The
alert is a reminder, a higher app's: it registers itself here (`on_duress`).
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth import hashers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import end_sessions
from accounts.sessions import stored_key
from audit.models import Action
from audit.services import record

log = logging.getLogger(__name__)

Alert = Callable[[User], int]
_alerts: list[Alert] = []


def on_duress(alert: Alert) -> None:
    """Tell someone of each duress sign-in, in its transaction (reminders/apps.py)."""
    if alert not in _alerts:
        _alerts.append(alert)


def is_duress_password(user: User, raw: str) -> bool:
    """Whether `raw` is the account's duress password.

    With none set (""), Django's check_password still runs the hasher once, so
    this costs what the check of a set one costs: a sign-in always pays for
    two hashes, and its time says nothing about which one matched.
    """

    def upgrade(raw_password):  # a hash made with an older hasher, as Django does for passwords
        User.objects.filter(pk=user.pk).update(duress_password=hashers.make_password(raw_password))

    return hashers.check_password(raw, user.duress_password, upgrade)


class DiffersFromDuressPassword:
    """A password validator (AUTH_PASSWORD_VALIDATORS): the real password may never become
    the duress one, wherever it is set (the password change, the admin site); a sign-in
    would take it as the duress one."""

    def validate(self, password, user=None):
        if (
            user is not None
            and getattr(user, "duress_password", "")
            and is_duress_password(user, password)
        ):
            raise ValidationError(
                _("It must differ from your duress password."), code="password_is_duress"
            )

    def get_help_text(self):
        return _("Your password must differ from your duress password.")


def duress_password_set(*, user: User, raw: str, without_code: bool) -> None:
    user.duress_password = hashers.make_password(raw)
    user.duress_without_code = without_code
    user.save(update_fields=["duress_password", "duress_without_code"])
    record(
        Action.UPDATE,
        actor=user,
        object_type="user",
        object_ref=str(user.pk),
        detail={"fields": ["duress_password"]},
    )


def duress_password_remove(*, user: User) -> None:
    user.duress_password = ""  # nosec B105 - empty is "none set", not a password
    user.duress_without_code = False
    user.save(update_fields=["duress_password", "duress_without_code"])
    record(
        Action.UPDATE,
        actor=user,
        object_type="user",
        object_ref=str(user.pk),
        detail={"fields": ["duress_password"], "removed": True},
    )


def duress_signed_in(request, user: User) -> int:
    """The duress password was just accepted for `user` on `request`: shield the account.

    Called inside the transaction that signed the session in (or confirmed
    the password again): the suspension, the ended sessions, the trail and
    the alert commit with it or not at all. Returns how many were alerted.
    """
    now = timezone.now()
    User.objects.filter(pk=user.pk, duress_at__isnull=True).update(duress_at=now)
    user.duress_at = user.duress_at or now
    ended = end_sessions(user, keep=stored_key(request.session.session_key))
    # actor=user: the account's own trail, which a shielded session never lists.
    record(
        Action.DURESS,
        actor=user,
        request=request,
        object_type="user",
        object_ref=str(user.pk),
        detail={"sessions_ended": ended},
    )
    alerted = sum(alert(user) for alert in _alerts)
    if not alerted:
        log.error("duress sign-in by staff account %s: nobody awake to alert", user.pk)
    return alerted


@transaction.atomic
def restore(*, user: User, by: User) -> int:
    """End the suspension a duress sign-in left, and every session of the account:
    the one under duress may still be in the coercer's hands."""
    # The duress password goes too: the one who held the phone may know it, or have
    # changed it (a password change under duress changes it). The person sets a new one.
    User.objects.filter(pk=user.pk).update(  # nosec B106 - empty is "none set"
        duress_at=None, duress_password="", duress_without_code=False
    )
    ended = end_sessions(user)
    record(
        Action.RESTORE,
        actor=by,
        object_type="user",
        object_ref=str(user.pk),
        detail={"sessions_ended": ended},
    )
    return ended


def sleep(*, request, until: datetime) -> None:
    """Travel mode: shield the account until then, or until woken early."""
    user = request.user
    if user.asleep:  # asleep, it can only be made longer: ending it needs a coordinator
        until = max(until, user.asleep_until)
    _set_asleep(request, until, {"event": "asleep", "until": until.isoformat()})


def _set_asleep(request, until: datetime | None, detail: dict) -> None:
    """Sleep or wake the signed-in account; any approval to wake is spent either way."""
    user = request.user
    user.asleep_until = until
    user.wake_approved_by = None
    user.wake_approved_at = None
    user.save(update_fields=["asleep_until", "wake_approved_by", "wake_approved_at"])
    record(
        Action.TRAVEL,
        request=request,
        object_type="user",
        object_ref=str(user.pk),
        detail=detail,
    )


# A coordinator's approval to wake early lasts this long: long enough for the call in
# which the person says they are safe, too short to wait for on a seized phone.
WAKE_APPROVAL = timedelta(hours=1)


def approve_wake(*, user: User, by: User) -> None:
    """A coordinator's half of waking early; the user's password is the other half."""
    User.objects.filter(pk=user.pk).update(wake_approved_by=by, wake_approved_at=timezone.now())
    record(
        Action.TRAVEL,
        actor=by,
        object_type="user",
        object_ref=str(user.pk),
        detail={"event": "wake_approved"},
    )


def may_wake(user: User) -> bool:
    approved = user.wake_approved_at
    return user.asleep and approved is not None and timezone.now() - approved < WAKE_APPROVAL


def wake(*, request) -> None:
    _set_asleep(request, None, {"event": "woken"})
