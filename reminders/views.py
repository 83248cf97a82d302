from django.contrib import messages
from django.db.models import Case as DbCase
from django.db.models import Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.http import posted_id
from intake.selectors import missed_checkins_visible_to, require_case_staff
from intake.transfers import transfers_waiting_for
from network.selectors import open_exposures_visible_to
from reminders import services
from reminders.dashboard import (
    awaiting_approval,
    critical_unanswered,
    missed_checkins,
    open_notifications,
    overdue_follow_ups,
    overdue_referrals,
    reminders_besides,
    section,
    staff_under_duress,
)
from reminders.models import URGENT


@never_cache
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """What needs action now, for the page case staff land on after sign-in."""
    require_case_staff(request.user)
    user = request.user
    now = timezone.now()
    context = {
        "now": now,
        # A colleague may be in a police station with their phone: before anything else.
        "duress": section(staff_under_duress(user)),
        "missed": section(missed_checkins(user, now)),
        # Newest first, until someone records on the case what was done.
        "exposures": section(open_exposures_visible_to(user)),
        # What only a coordinator can move on; nobody else is asked.
        "approvals": section(awaiting_approval(user)) if user.coordinates else None,
        "transfers": section(transfers_waiting_for(user)) if user.coordinates else None,
        "critical": section(critical_unanswered(user)),
        "follow_ups": section(overdue_follow_ups(user, timezone.localdate(now))),
        "referrals": section(overdue_referrals(user, now)),
        "notifications": section(reminders_besides(user)),
    }
    return render(request, "reminders/dashboard.html", context)


@never_cache
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    require_case_staff(request.user)
    notifications = (
        open_notifications(request.user)
        # Missed check-ins and exposure warnings first: someone may have been
        # detained, or may be found next.
        .annotate(urgent=DbCase(When(kind__in=URGENT, then=Value(0)), default=Value(1)))
        .order_by("urgent", "-created_at", "-pk")[:200]
    )
    missed = missed_checkins_visible_to(request.user).only(
        "pk", "due_at", "case__reference", "case__alias"
    )
    context = {"notifications": notifications, "missed": missed}
    return render(request, "reminders/notification_list.html", context)


@never_cache
@require_POST
def notification_done(request: HttpRequest) -> HttpResponse:
    require_case_staff(request.user)
    notification_id = posted_id(request, "notification")
    if notification_id is None or not services.mark_done(
        user=request.user, notification_id=notification_id
    ):
        raise Http404
    messages.success(request, _("Marked as done."))
    # A fixed choice of pages, never a posted address: no open redirect.
    if request.POST.get("back") == "dashboard":
        return redirect("reminders:dashboard")
    return redirect("reminders:notification_list")
