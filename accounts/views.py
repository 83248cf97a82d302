from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work is."""
    user = request.user
    if user.sees_team_cases:
        return redirect("intake:case_list")
    if user.is_staff:
        return redirect("admin:index")
    return render(request, "accounts/home.html")
