"""Sign-in, failed sign-in and sign-out: Django's auth signals are the only hook."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import Action
from audit.services import record


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    record(Action.SIGN_IN, actor=user, request=request)


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(Action.SIGN_OUT, actor=user, request=request)


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Never the username typed: it may be a mistyped password.
    record(Action.SIGN_IN_FAILED, request=request)


@receiver(user_locked_out)
def locked_out(sender, request, username, ip_address, **kwargs):
    # axes passes the hashed username and the coarse network, nothing typed.
    record(Action.LOCKOUT, request=request, detail={"account": username})
