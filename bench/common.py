"""What every benchmark step shares: Django set-up, signing in, and percentiles."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def signed_in_client(user):
    """A test client past password and second factor, as the verify page leaves it."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import Authenticator

    device, _ = Authenticator.objects.get_or_create(
        user=user, name="bench authenticator", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["auth_at"] = int(time.time())
    session.save()
    return client


def intake_form(*, team_id: int, alias: str, handle: str) -> dict:
    """What an operator types into the intake form (both intake measures post it)."""
    return {
        "team": team_id,
        "alias": alias,
        "contact_channel": "telegram",
        "contact_handle": handle,
        "safe_contact": "Write first; never call.",
        "region": "chechnya",
        "location": "Grozny, with a friend",
        "threats": ["police_detention", "outing"],
        "needs": ["shelter", "evacuation"],
        "languages": ["ru"],
        "risk": "3",
        "narrative": "Detained last week, released, told to report again. " * 5,
    }


def percentiles(samples_ms: list[float]) -> dict:
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {"p50": round(cuts[49], 2), "p95": round(cuts[94], 2), "n": len(samples_ms)}


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, (time.perf_counter() - start) * 1000
