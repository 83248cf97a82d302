"""Ask for the password again before actions that cannot be undone or expose a person."""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "auth_at"


def mark_fresh(request) -> None:
    request.session[SESSION_KEY] = int(time.time())


def is_fresh(request) -> bool:
    return time.time() - request.session.get(SESSION_KEY, 0) < settings.REAUTH_WINDOW


def recent_auth_required(view):
    """Send a user whose password was last checked too long ago to confirm it first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_fresh(request):
            back = request.path if request.method == "GET" else request.META.get("HTTP_REFERER")
            query = urlencode({"next": back or "/"})
            return redirect(f"{reverse('reauth')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
