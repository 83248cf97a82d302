"""Ask for the password again before actions that cannot be undone or expose a person."""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse

from core.http import same_site_path

SESSION_KEY = "auth_at"


def mark_fresh(request) -> None:
    request.session[SESSION_KEY] = int(time.time())


def is_fresh(request) -> bool:
    return time.time() - request.session.get(SESSION_KEY, 0) < settings.REAUTH_WINDOW


def recent_auth_required(view):
    """Send a user whose password was last checked too long ago to confirm it first.

    A GET comes back to itself. A POST cannot be replayed, so it comes back to
    the page that had the form, which names itself in a `next` field: the
    Referer would say so, but Referrer-Policy: no-referrer strips it.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_fresh(request):
            if request.method == "GET":
                back = request.get_full_path()
            else:
                back = same_site_path(request, request.POST.get("next"))
            query = urlencode({"next": back})
            return HttpResponseRedirect(f"{reverse('reauth')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
