"""Sign-in throttling and session limits.

django-axes counts failures per account and per client. It stores what
these functions return, not what was typed or where from: a keyed hash of
the username (a password typed into the wrong box is never kept), and for
the client a pseudonymous address (fd.. + a keyed hash of the real one),
so a lock hits only that client, and no staff address is kept.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def axes_username(request, credentials) -> str:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    key = ("axes-username:" + settings.BLIND_INDEX_KEY).encode()
    return hmac.new(key, username.casefold().encode(), hashlib.sha256).hexdigest()[:32]


def pseudonymous_ip(request) -> str:
    """A stable stand-in for the client address: a unique-local IPv6 from its keyed hash."""
    raw = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    key = ("axes-ip:" + settings.BLIND_INDEX_KEY).encode()
    digest = hmac.new(key, raw.encode(), hashlib.sha256).digest()
    return str(ipaddress.IPv6Address(b"\xfd" + digest[:15]))
