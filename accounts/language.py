"""The interface language: chosen per account, remembered in the browser too."""

from django.conf import settings
from django.http import HttpResponse


def is_offered(code: str) -> bool:
    return code in dict(settings.LANGUAGES)


def remember(response: HttpResponse, code: str) -> None:
    """Set Django's language cookie, so pages before sign-in speak the chosen language."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def forget(response: HttpResponse) -> None:
    """Drop the language cookie: the browser's own preference applies again."""
    response.delete_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
