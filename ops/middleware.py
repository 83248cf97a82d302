from django.http import HttpRequest, HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from core.http import is_scripted
from ops.views import health


class RejectNullBytesMiddleware:
    """Answer 400 to a query string or form with a NUL byte.

    PostgreSQL refuses NUL in text, so one reaching any query (an admin
    filter, a lookup) would be a 500; no legitimate input carries one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if self.has_null(request.GET) or (request.method == "POST" and self.has_null(request.POST)):
            return HttpResponseBadRequest(
                _("The request contains a null character."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def has_null(data) -> bool:
        return any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: no embedding, no features, no indexing."""

    HEADERS = {
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "X-Robots-Tag": "noindex, nofollow",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.HEADERS.items():
            response.headers.setdefault(name, value)
        return response


class ScriptedSubmitMiddleware:
    """Tell the page's script where a form's answer redirects, instead of following it.

    The script sends a form with fetch so that a failed submit (no network, a
    server error) leaves the page as typed. fetch would follow a redirect by
    itself and swallow the next page's one-time messages; so the redirect is
    answered as 204 with the target in a header, and the script goes there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_scripted(request) and 300 <= response.status_code < 400:
            location = response.get("Location", "")
            del response["Location"]
            response.status_code = 204
            response["X-Scripted-Location"] = location
        return response


class HealthMiddleware:
    """Answer /health/ before sessions, users and languages are looked at.

    A probe that carries a session cookie would otherwise read the session
    table first, and a dead database would answer an error page, not JSON.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == reverse("health"):  # both carry the script prefix
            return health(request)
        return self.get_response(request)
