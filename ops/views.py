import sys
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crypto import keycheck
from ops.models import Heartbeat

# Three missed heartbeats mean the worker or beat is down.
JOBS_STALE_AFTER = timedelta(seconds=3 * settings.HEARTBEAT_SECONDS)
BROKER_TIMEOUT = 2  # seconds: a load balancer's probe must not hang on a dead broker


def database_state() -> str:
    """ "ok", "read-only" (PostgreSQL in recovery, a full disk) or "down"."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "down"
    try:
        with transaction.atomic():
            Heartbeat.objects.update_or_create(name="health", defaults={"seen_at": timezone.now()})
    except DatabaseError:
        return "read-only"
    return "ok"


def broker_state() -> str:
    try:
        with current_app.connection_for_write(connect_timeout=BROKER_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
            conn.default_channel  # noqa: B018  (Redis connects here, not above)
    except Exception:  # noqa: BLE001 — any failure to reach it is "down", whatever the transport
        return "down"
    return "ok"


def keys_state() -> str:
    return "wrong" if keycheck.problem(force=True) else "ok"


def jobs_state() -> str:
    beat = Heartbeat.objects.filter(name="jobs").values_list("seen_at", flat=True).first()
    return "ok" if beat is not None and timezone.now() - beat < JOBS_STALE_AFTER else "late"


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Tell a load balancer or an operator what works: 200 only when everything does.

    Always JSON, and never a session or user lookup (ops.middleware.HealthMiddleware
    answers before those run), so a dead database is a 503 here, not an error page.
    """
    report = {"database": database_state(), "broker": broker_state()}
    if report["database"] == "down":
        report.update(keys="unknown", jobs="unknown")
    else:
        try:
            report.update(keys=keys_state(), jobs=jobs_state())
        except DatabaseError:
            report.update(database="down", keys="unknown", jobs="unknown")
    healthy = all(state == "ok" for state in report.values())
    return JsonResponse(report, status=200 if healthy else 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an unhandled error: 503 when the database is out of reach, else 500.

    Rendered without the request's context processors: they read the
    database, which may be the thing that failed.
    """
    _, error, _ = sys.exc_info()
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(render_to_string("500.html"))
