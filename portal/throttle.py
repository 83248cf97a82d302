"""Fixed-window limits on the portal's costly or flooding actions, per client and overall.

A client is the keyed hash of its address (audit.services.ip_hash): many
people behind one Tor exit, or everyone through the onion service, are one
client, so the overall limits are what bound the work and the flood. The
limits are PORTAL_LIMITS in the settings (README, "Portal"). Every attempt
counts, right or wrong: a limit that counted failures only would tell a
guesser which attempt was right.
"""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from audit.services import client_ip, ip_hash
from portal.models import Throttle

EVERYONE = "*"


def client_of(request) -> str:
    return ip_hash(client_ip(request)) or "unknown"


def _window(now: datetime, seconds: int) -> datetime:
    start = math.floor(now.timestamp() / seconds) * seconds
    return datetime.fromtimestamp(start, tz=now.tzinfo)


def _count(scope: str, client: str, start: datetime) -> int:
    """Add one to this window's count and return it: one row per window, made once."""
    rows = Throttle.objects.filter(scope=scope, client=client, window_start=start)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                Throttle.objects.create(scope=scope, client=client, window_start=start, count=1)
            return 1
        except IntegrityError:  # another request made it meanwhile
            rows.update(count=F("count") + 1)
    return rows.values_list("count", flat=True).get()


def wait_for(*limits: tuple[str, str], now: datetime | None = None) -> int:
    """Count one attempt against each (scope, client) limit; seconds to wait, 0 if allowed.

    Counted against all of them even when one refuses: a client over its
    own limit still spends the overall one, so a flood from one address is
    not free.
    """
    now = now or timezone.now()
    wait = 0
    for scope, client in limits:
        allowed, seconds = settings.PORTAL_LIMITS[scope]
        start = _window(now, seconds)
        if _count(scope, client, start) > allowed:
            wait = max(wait, math.ceil((start + timedelta(seconds=seconds) - now).total_seconds()))
    return wait


def tidy(now: datetime | None = None) -> int:
    """Delete the windows that have ended."""
    now = now or timezone.now()
    longest = max(seconds for _count, seconds in settings.PORTAL_LIMITS.values())
    gone, _ = Throttle.objects.filter(window_start__lt=now - timedelta(seconds=longest)).delete()
    return gone
