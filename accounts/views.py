from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import services
from accounts.models import Role, User
from ops.http import posted_id


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is."""
    user = request.user
    if user.sees_team_cases:
        return redirect("intake:case_list")
    if user.is_staff:
        return redirect("admin:index")
    if user.role == Role.PARTNER and hasattr(user, "partner_staff"):
        return redirect("referrals:partner_inbox")
    return render(request, "accounts/home.html")


class LockNowView(auth_views.LogoutView):
    """Sign out and tell the browser to forget everything this site left behind."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


@never_cache
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """A coordinator's team members, each with an emergency revoke."""
    if not request.user.coordinates:
        raise Http404
    members = (
        User.objects.filter(teams__in=request.user.teams.all(), is_active=True)
        .exclude(pk=request.user.pk)
        .distinct()
        .order_by("username")
    )
    return render(request, "accounts/team.html", {"members": members})


@never_cache
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    user = User.objects.filter(pk=posted_id(request, "user")).first()
    if user is None or not services.may_revoke(request.user, user):
        raise Http404
    ended = services.user_revoke(user=user, by=request.user)
    messages.warning(
        request,
        _("%(u)s can no longer sign in; %(n)s sessions ended.") % {"u": user.username, "n": ended},
    )
    return redirect("team")
