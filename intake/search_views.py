"""The case list's search: posted, audited by count, rendered as the case list."""

import json

from cryptography.fernet import InvalidToken
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from encrypted_model_fields.fields import decrypt_str, encrypt_str

from audit.models import Action
from audit.services import record
from core.http import is_scripted
from intake.filters import CaseFilter
from intake.forms import SearchForm
from intake.search import MAX_QUERY_LENGTH, search_cases
from intake.selectors import cases_visible_to, require_case_staff
from intake.views import list_context

# Where a search posted without the script waits for the page it redirects to.
PENDING = "search_pending"
# What a search's form posts: the terms, the list's filters and sort, a page.
POSTED = ["q", "page", *CaseFilter.base_filters]


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def case_search(request: HttpRequest) -> HttpResponse:
    """Search the user's teams' cases by alias, handle, phone or reference.

    By POST only: what is typed never reaches a URL, the browser's history,
    a proxy's or the server's log. The results are the case list's page,
    with its filters, sort and pages in the same form, so they stay posted
    too. The trail records that a search was made and how many it found.
    """
    require_case_staff(request.user)
    if request.method == "POST" and is_scripted(request):
        # Sent by the page's script (fetch): the answer replaces the page, and
        # the browser's history gains no entry at all.
        return _answer(request, request.POST)
    if request.method == "POST":
        # Sent by the browser itself (no script). Chromium keeps the body of
        # a POST whose answer is a page in its session files (Sessions/ in
        # the profile, still there after the browser is closed), the terms
        # with it; the page a redirect leads to is a GET with no body. So the
        # form waits in the session for that one GET, encrypted as an alias
        # is, and is gone once read.
        _hold(request)
        return redirect("intake:case_search")
    posted = _take(request)
    if posted is None:
        # No search waiting (a reload, the language switch, a typed address):
        # a search has no address to come back to.
        return redirect("intake:case_list")
    return _answer(request, posted)


def _answer(request: HttpRequest, posted: QueryDict) -> HttpResponse:
    form = SearchForm(posted)
    if not form.is_valid():
        # Refused: the list unsearched, the box as typed, the reason above it.
        context = list_context(request, posted, cases_visible_to(request.user))
        context["search_form"] = form
        context["error_summary_title"] = _("Not searched. Please correct this:")
        return render(request, "intake/case_list.html", context, status=400)
    context = list_context(request, posted, search_cases(request.user, form.query))
    found = context["page"].paginator.count
    # The count only: never the terms, not even hashed (a keyed hash of a
    # name in the trail would let anyone with the key test guesses of it).
    record(Action.SEARCH, request=request, detail={"results": found})
    context.update(search_form=form, searching=True)
    return render(request, "intake/case_list.html", context)


def _hold(request: HttpRequest) -> None:
    # Cut to one character past what the form takes: enough for it to refuse
    # too long a text, and a pasted book never lands in the session.
    fields = {
        name: [value[: MAX_QUERY_LENGTH + 1] for value in request.POST.getlist(name)[:5]]
        for name in POSTED
        if name in request.POST
    }
    request.session[PENDING] = encrypt_str(json.dumps(fields)).decode()


def _take(request: HttpRequest) -> QueryDict | None:
    held = request.session.pop(PENDING, None)
    if not isinstance(held, str):
        return None
    try:
        fields = json.loads(decrypt_str(held))
    except (InvalidToken, ValueError):
        return None  # held under a key since retired: search again
    posted = QueryDict(mutable=True)
    for name, values in fields.items():
        if name in POSTED and isinstance(values, list):
            posted.setlist(name, [str(value) for value in values])
    return posted
