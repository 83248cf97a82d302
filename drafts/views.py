from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.middleware import mark_active
from core.http import same_site_path
from drafts import services


def _names(request: HttpRequest) -> tuple[str, str]:
    return request.POST.get("_draft", ""), request.POST.get("_draft_scope", "")


@never_cache
@sensitive_post_parameters()
@require_POST
def draft_save(request: HttpRequest) -> HttpResponse:
    """Keep what is being typed; answer with a line for the page to show."""
    form, scope = _names(request)
    try:
        draft = services.draft_save(user=request.user, form=form, scope=scope, data=request.POST)
    except services.DraftTooLarge:
        return HttpResponse(
            _("Too long to keep as a draft."), status=413, content_type="text/plain"
        )
    except PermissionDenied:
        return HttpResponse(status=403)
    # A draft is saved because someone typed: that is activity, to the second,
    # so the page can restart its idle countdown from this answer.
    mark_active(request)
    if draft is None:
        return HttpResponse("", content_type="text/plain; charset=utf-8")
    when = format_date(timezone.localtime(draft.updated_at), "H:i")
    line = _("Draft saved at %(time)s.") % {"time": when}
    return HttpResponse(line, content_type="text/plain; charset=utf-8")


@never_cache
@require_POST
def draft_discard(request: HttpRequest) -> HttpResponse:
    form, scope = _names(request)
    services.draft_discard(user=request.user, form=form, scope=scope)
    messages.info(request, _("Draft discarded."))
    return HttpResponseRedirect(same_site_path(request, request.POST.get("next")))
