"""Statistics for advocacy: tables that identify no one, for coordinators."""

from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.reauth import recent_auth_required
from audit.models import Action
from audit.services import record
from stats.charts import chart
from stats.export import table_csv
from stats.queries import Counts, Period, collect
from stats.tables import Statistics, build


def coordinators_only(view):
    """404 for everyone but coordinators, before anything else is asked of them."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not getattr(request.user, "coordinates", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def statistics(user) -> Statistics:
    """The published tables; a shielded account (duress, travel) gets them with nothing counted."""
    period = Period.completed_quarters()
    counts = Counts() if user.shielded else collect(period)
    return build(counts, period=period, threshold=settings.CORRIDOR_STATS_THRESHOLD)


@never_cache
@require_GET
@coordinators_only
def overview(request: HttpRequest) -> HttpResponse:
    stats = statistics(request.user)
    sections = [(table, chart(table, threshold=stats.threshold)) for table in stats.tables]
    return render(request, "stats/overview.html", {"stats": stats, "sections": sections})


@never_cache
@require_GET
@coordinators_only
@recent_auth_required
def export(request: HttpRequest, table: str) -> HttpResponse:
    """One table as CSV, after a recent password, recorded in the audit trail."""
    stats = statistics(request.user)
    found = stats.table(table)
    if found is None:
        raise Http404
    # Which table and period, never its numbers: the trail holds no data.
    record(
        Action.EXPORT,
        request=request,
        object_type="statistics",
        object_ref=found.slug,
        detail={"format": "csv", "through": stats.period.last_quarter},
    )
    response = HttpResponse(table_csv(found), content_type="text/csv; charset=utf-8")
    # No product name in the file name: a download folder can be seized too.
    name = f"statistics-{found.slug}-to-{stats.period.last_quarter}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
