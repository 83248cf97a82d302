from django.conf import settings

from accounts.middleware import idle_seconds_left, touch_every


def site(request) -> dict:
    """The site's name (innocuous by choice, so a deployment need not say what it is),
    and the idle limit an open page counts down (static/app/app.js): what
    is left of it as the server counts, the whole limit, and how often typing tells
    the server someone is there."""
    context = {"site_title": settings.SITE_TITLE}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        context.update(
            idle_seconds=idle_seconds_left(request),
            idle_limit=settings.SESSION_IDLE_TIMEOUT,
            keep_alive_seconds=touch_every(),
        )
    return context
