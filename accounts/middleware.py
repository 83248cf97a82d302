import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_otp import user_has_device


class SessionLimitsMiddleware:
    """End a session after SESSION_IDLE_TIMEOUT without a request, or SESSION_ABSOLUTE_AGE.

    Activity is written at most once a minute: the idle limit is counted in
    minutes, and a session write on every page would cost every page a query.
    """

    TOUCH_EVERY = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault("started_at", now)
            last = request.session.get("last_seen", now)
            if (
                now - last > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_ABSOLUTE_AGE
            ):
                logout(request)
                messages.info(request, _("Your session ended. Sign in again."))
                return redirect(settings.LOGIN_URL)
            if now - last >= self.TOUCH_EVERY or "last_seen" not in request.session:
                request.session["last_seen"] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Until a session has passed its second factor, only the 2FA pages and sign-out open."""

    ALLOWED = ("/2fa/", "/logout/", "/static/", "/health/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(self.ALLOWED)
        ):
            has_device = user_has_device(user, confirmed=True)
            return redirect("two_factor_verify" if has_device else "two_factor_setup")
        return self.get_response(request)
