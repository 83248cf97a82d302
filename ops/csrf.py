"""Django's CSRF protection, made to work under `Referrer-Policy: no-referrer`.

Under that policy a browser sends `Origin: null` and no Referer even on a
same-origin form post (Fetch standard, "serializing a request origin"), and
Django refuses every form. The browser still says where the request came
from in `Sec-Fetch-Site`, a header no page script can set: an opaque origin
passes only when that says `same-origin`. The CSRF token is checked as
always; nothing else changes.
"""

from django.conf import settings
from django.core import checks
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.module_loading import import_string


class NoReferrerCsrfViewMiddleware(CsrfViewMiddleware):
    def _origin_verified(self, request) -> bool:
        if (
            request.META.get("HTTP_ORIGIN") == "null"
            and request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        ):
            return True
        return super()._origin_verified(request)


@checks.register(checks.Tags.security, deploy=True)
def csrf_middleware_check(app_configs, **kwargs):
    """Stand in for Django's security.W003, which knows only its own class by name."""
    for path in settings.MIDDLEWARE:
        if issubclass(import_string(path), CsrfViewMiddleware):
            return []
    return [checks.Error("No CSRF middleware in MIDDLEWARE.", id="ops.E001")]
