"""Sign-in throttling and session limits.

django-axes counts failures per account and per network. It stores what
these functions return, not what was typed: a keyed hash of the username
(a password typed into the wrong box is never kept) and the /24 (IPv4) or
/48 (IPv6) network of the client, so no staff address is kept exactly.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def axes_username(request, credentials) -> str:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    key = ("axes-username:" + settings.BLIND_INDEX_KEY).encode()
    return hmac.new(key, username.casefold().encode(), hashlib.sha256).hexdigest()[:32]


def coarse_ip(request) -> str:
    raw = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "0.0.0.0"  # noqa: S104 (a placeholder network, never bound)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
