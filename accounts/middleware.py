import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp import user_has_device

from accounts import language


class UserLanguageMiddleware:
    """Speak the signed-in user's chosen language, whatever the browser asks for.

    Runs after LocaleMiddleware, which has already picked the cookie's or the
    browser's language: that choice stands for anonymous pages and for users
    who chose none. The chosen language is also left in the language cookie,
    so the sign-in page after a timed-out session speaks it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = self.chosen(request)
        if code:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        # Read again: the view may have signed someone in, out, or changed it.
        code = self.chosen(request)
        cookie = settings.LANGUAGE_COOKIE_NAME
        if code and request.COOKIES.get(cookie) != code and cookie not in response.cookies:
            language.remember(response, code)
        return response

    @staticmethod
    def chosen(request) -> str:
        user = request.user
        if user.is_authenticated and language.is_offered(user.language):
            return user.language
        return ""


class UserTimeZoneMiddleware:
    """Show times in the signed-in user's zone; they are stored in UTC whatever it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = request.user.time_zone if request.user.is_authenticated else ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone)) if zone else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()  # a zone the system no longer knows: the organisation's
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def touch_every() -> int:
    """How often a request rewrites the session's last activity, in seconds.

    Once a minute (the limit counts minutes, and a write costs a query), or a
    quarter of a shorter limit, so a keep-alive that often always lands in time.
    """
    return max(1, min(SessionLimitsMiddleware.TOUCH_EVERY, settings.SESSION_IDLE_TIMEOUT // 4))


def idle_seconds_left(request) -> int:
    """What is left of the session's idle limit, as the server counts it."""
    last = request.session.get("last_seen", int(time.time()))
    return max(1, settings.SESSION_IDLE_TIMEOUT - (int(time.time()) - last))


def mark_active(request) -> None:
    """Restart the session's idle clock: a request someone made, not one a page made alone."""
    request.session["last_seen"] = int(time.time())


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
                response = redirect(settings.LOGIN_URL)
                # As "lock now" does: nothing of the session stays in this browser.
                response["Clear-Site-Data"] = '"cache", "storage"'
                return response
            if now - last >= touch_every() or "last_seen" not in request.session:
                mark_active(request)
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Until a session has passed its second factor, only the 2FA pages and sign-out open."""

    ALLOWED = ("/2fa/", "/logout/", "/language/", "/static/", "/health/")

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
