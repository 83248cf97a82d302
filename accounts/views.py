from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Role


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
