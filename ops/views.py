import sys
from datetime import timedelta

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops.models import Heartbeat

# Beat sends a heartbeat every minute; three missed ones mean jobs are down.
JOBS_STALE_AFTER = timedelta(minutes=3)


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Tell a load balancer or an operator whether the database and the jobs are alive."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        beat = Heartbeat.objects.filter(name="jobs").values_list("seen_at", flat=True).first()
    except DatabaseError:
        return JsonResponse({"database": "down", "jobs": "unknown"}, status=503)
    jobs_ok = beat is not None and timezone.now() - beat < JOBS_STALE_AFTER
    # Jobs being late does not stop caseworkers: the web stays healthy.
    return JsonResponse({"database": "ok", "jobs": "ok" if jobs_ok else "late"})


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
