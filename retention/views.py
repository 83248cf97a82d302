from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.reauth import recent_auth_required
from intake.selectors import get_case_for
from retention import services
from retention.forms import ForgetForm


@never_cache
@require_http_methods(["GET", "POST"])
@recent_auth_required
def case_forget(request: HttpRequest, reference: str) -> HttpResponse:
    """Purge one case now, on the person's request, after a typed confirmation."""
    case = get_case_for(request.user, reference, write=True, coordinate=True)
    form = ForgetForm(request.POST or None, reference=case.reference)
    if case.legal_hold:
        messages.error(request, _("This case is on legal hold: lift the hold first."))
        return redirect("intake:case_detail", reference=case.reference)
    if request.method == "POST" and form.is_valid():
        purged = services.case_purge(
            case_id=case.pk,
            reason=services.FORGOTTEN,
            by=request.user,
            why=form.cleaned_data["reason"],
        )
        # The cases merged into it went too: a duplicate lives as long as its case.
        merged = max(purged - 1, 0)
        if merged:
            text = ngettext(
                "Case %(ref)s is purged, with %(n)s case merged into it. "
                "Only anonymous counts remain.",
                "Case %(ref)s is purged, with %(n)s cases merged into it. "
                "Only anonymous counts remain.",
                merged,
            ) % {"ref": reference, "n": merged}
        else:
            text = _("Case %(ref)s is purged. Only anonymous counts remain.") % {"ref": reference}
        messages.success(request, text)
        return redirect("intake:case_list")
    status = 400 if form.errors else 200
    return render(
        request, "retention/case_forget.html", {"case": case, "form": form}, status=status
    )
