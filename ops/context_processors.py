from django.conf import settings


def site(request) -> dict:
    """The site's name (innocuous by choice, so a deployment need not say what it is),
    and the idle limit an open page counts down (static/corridor/corridor.js)."""
    return {"site_title": settings.SITE_TITLE, "idle_seconds": settings.SESSION_IDLE_TIMEOUT}
