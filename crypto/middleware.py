from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from crypto import keycheck


class KeyCheckMiddleware:
    """While this process's keys cannot read the key check, every page says so and nothing runs.

    Rendered without context processors: they read the database through
    the keys that are wrong.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if keycheck.problem():
            context = {"message": keycheck.WRONG_KEY_MESSAGE, "site_title": settings.SITE_TITLE}
            response = HttpResponse(render_to_string("key_wrong.html", context), status=503)
            response["Retry-After"] = str(keycheck.CHECK_EVERY)  # when this process looks again
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
