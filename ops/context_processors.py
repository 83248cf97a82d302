from django.conf import settings


def site(request) -> dict:
    """The site's name: innocuous by choice, so a deployment need not say what it is."""
    return {"site_title": settings.SITE_TITLE}
