from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.services import record
from core.http import posted_id
from drafts.services import draft_discard, draft_slot
from intake import case_sections, services
from intake import drafts as intake_drafts
from intake.filters import CaseFilter
from intake.forms import (
    AssignForm,
    CaseForm,
    CheckInForm,
    FollowUpForm,
    HandleCheckForm,
    IntakeForm,
    NoteForm,
    RouteForm,
    SearchForm,
    StatusForm,
    VerificationForm,
)
from intake.models import Case, new_reference
from intake.pagination import CappedPaginator
from intake.selectors import (
    assignees_for,
    assignees_in,
    case_timeline,
    cases_visible_to,
    checkins_with_people,
    get_case_for,
    merged_into,
    missed_checkins_visible_to,
    referrals_with_history,
    require_case_staff,
)
from intake.status import ClosureReason, Status, TransitionError
from intake.transfers import transfer_context

CASES_PER_PAGE = 50
DEFAULT_SORT = "risk"
# What a row of the list shows, and nothing more: decrypting the narrative
# of fifty cases to show none of it is waste.
LIST_FIELDS = [
    "reference", "team", "alias", "risk", "status", "region", "follow_up_on",
    "created_at", "device_compromised_at", "assignee__username",
]  # fmt: skip


@never_cache
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    require_case_staff(request.user)
    context = list_context(request, request.GET, cases_visible_to(request.user))
    return render(request, "intake/case_list.html", {**context, "search_form": SearchForm()})


def list_context(request: HttpRequest, data, cases) -> dict:
    """The case list of these cases (every visible one, or a search's), filtered,
    sorted and paged by `data`: the query string, or a search's posted form."""
    # The default sort must hold on page 2 too, whose link carries no "sort".
    query = data.copy()
    query.setdefault("sort", DEFAULT_SORT)
    case_filter = CaseFilter(
        query,
        queryset=cases.select_related("assignee").only(*LIST_FIELDS),
        assignees=assignees_for(request.user),
    )
    page = CappedPaginator(case_filter.qs, CASES_PER_PAGE).get_page(data.get("page"))
    # Until handled, a missed check-in stays at the top of the first page people see.
    missed = missed_checkins_visible_to(request.user).only(
        "pk", "due_at", "case__reference", "case__alias"
    )
    # The filters a page link carries (never a search's terms: those are posted).
    kept = {name: query[name] for name in CaseFilter.base_filters if query.get(name)}
    return {
        "filter": case_filter,
        "page": page,
        "missed": missed,
        "filter_query": urlencode(kept),
        # The filters open when one is set (the default sort is none).
        "filtered": bool(kept.keys() - {"sort"}) or kept.get("sort") != DEFAULT_SORT,
    }


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    require_case_staff(request.user)
    draft = draft_slot(user=request.user, form=intake_drafts.REQUEST, read=request.method == "GET")
    form = IntakeForm(request.POST or None, user=request.user, initial=draft.initial())
    matches = None
    if request.method == "POST" and form.is_valid():
        matches = services.handle_matches(
            user=request.user, handle=form.cleaned_data["contact_handle"]
        )
        if matches and request.POST.get("add_to"):
            return _add_to_existing(request, form, matches, draft)
        if matches and not form.cleaned_data["record_anyway"]:
            form.add_error("record_anyway", _("This handle is known. Read the warning first."))
        elif request.user.shielded:
            # Under duress or asleep nothing is written into the team's work;
            # the answer reads as a recorded request's would.
            messages.success(request, _("Request recorded as %(ref)s.") % {"ref": new_reference()})
            return redirect("intake:case_list")
        else:
            # One transaction: the case recorded and its draft gone, or neither,
            # so a failure answered "nothing was saved" is true.
            with transaction.atomic():
                case = services.case_create(
                    team=form.cleaned_data["team"], data=form.cleaned_data, by=request.user
                )
                draft_discard(user=request.user, form=draft.form)
            messages.success(request, _("Request recorded as %(ref)s.") % {"ref": case.reference})
            return redirect("intake:case_detail", reference=case.reference)
    return _intake_page(request, form, matches, draft)


def _intake_page(request, form, matches, draft) -> HttpResponse:
    context = {"form": form, "matches": matches, "draft": draft}
    status = 400 if form.is_bound else 200
    return render(request, "intake/case_form.html", context, status=status)


def _add_to_existing(request, form, matches, draft) -> HttpResponse:
    """The request repeats a known case: what was typed becomes a note on that case."""
    known = {case.reference for case in matches.cases}
    reference = request.POST["add_to"]
    if reference not in known:
        raise Http404
    case = get_case_for(request.user, reference, write=True)
    was_closed = case.status == Status.CLOSED
    closed_as = case.closure_reason
    try:
        with transaction.atomic():
            services.case_add_request(case=case, data=form.cleaned_data, by=request.user)
            draft_discard(user=request.user, form=draft.form)
    except ValidationError:
        form.add_error("narrative", _("Too long for a note on the case: shorten it first."))
        return _intake_page(request, form, matches, draft)
    messages.success(
        request, _("Added to case %(ref)s as a note; no new case was made.") % {"ref": reference}
    )
    if was_closed and closed_as == ClosureReason.PROVOCATION:
        messages.warning(
            request, _("The case was closed as a suspected provocation: it stays closed.")
        )
    elif was_closed and closed_as == ClosureReason.DUPLICATE:
        kept = merged_into(request.user, case.reference)
        if kept is not None:
            messages.warning(
                request,
                _("The case was merged into %(ref)s: it stays closed.") % {"ref": kept.reference},
            )
        else:
            messages.warning(request, _("The case was closed as a duplicate: it stays closed."))
    elif was_closed:
        messages.warning(request, _("The case was closed: it is open again, to be verified."))
    return _back(case)


@never_cache
@sensitive_post_parameters()
@require_POST
def handle_check(request: HttpRequest) -> HttpResponse:
    """Answer the intake form's as-you-type duplicate check (POST: no handle in a URL)."""
    require_case_staff(request.user)
    form = HandleCheckForm(request.POST)
    matches = None
    if form.is_valid():
        matches = services.handle_matches(
            user=request.user, handle=form.cleaned_data["contact_handle"]
        )
    return render(request, "intake/_handle_matches.html", {"matches": matches})


def _detail(request: HttpRequest, case: Case, *, status: int = 200, **forms) -> HttpResponse:
    """Render the case page; a failed form is passed in bound, with its errors."""
    referrals = referrals_with_history(case)
    checkins = checkins_with_people(case)
    note_draft = draft_slot(user=request.user, form=intake_drafts.NOTE, scope=case.reference)
    context = {
        "case": case,
        "timeline": case_timeline(case, referrals, checkins),
        "matches": services.handle_matches(
            user=request.user, handle=case.contact_handle, exclude=case
        ),
        "note_form": NoteForm(initial=note_draft.initial()),
        "note_draft": note_draft,
        "status_form": StatusForm(case=case),
        "follow_up_form": FollowUpForm(initial={"follow_up_on": case.follow_up_on}),
        "verification_form": VerificationForm(initial={"verification": case.verification}),
        "assign_form": AssignForm(
            initial={"assignee": case.assignee}, assignees=assignees_in([case.team_id])
        ),
        "referrals": referrals,
        "route_form": RouteForm(),
        # A check-in may be the arrival check of an evacuation leg: say which.
        "checkins": [checkin for checkin in checkins if checkin.heard_at is None],
        # Newest first: only the newest can be open (one open plan per case).
        "plans": list(case.evacuation_plans.defer("destination_city", "outcome_note")),
        "checkin_form": CheckInForm(),
        # What the apps above intake add (network: exposure warnings, links).
        "case_sections": case_sections.sections_for(case, user=request.user, forms=forms),
        **transfer_context(request.user, case),
    }
    context.update(forms)
    return render(request, "intake/case_detail.html", context, status=status)


def case_page(request: HttpRequest, case: Case, *, status: int = 200, **forms) -> HttpResponse:
    """The case page, for the apps above intake whose forms sit on it (a refused one, bound)."""
    return _detail(request, case, status=status, **forms)


def _back(case: Case) -> HttpResponse:
    return redirect("intake:case_detail", reference=case.reference)


@never_cache
@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        case = get_case_for(request.user, reference)
    except Http404:
        case = None
    # A merged duplicate's reference leads to the case it was merged into,
    # after a purge of the duplicate too. Asked only when it can be one.
    if case is None or case.closure_reason == ClosureReason.DUPLICATE:
        if (survivor := merged_into(request.user, reference)) is not None:
            messages.info(
                request,
                _("Case %(old)s was merged into this case, %(new)s.")
                % {"old": reference, "new": survivor.reference},
            )
            return _back(survivor)
    if case is None:
        raise Http404
    record(Action.VIEW, request=request, object_type="case", object_ref=case.reference)
    return _detail(request, case)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "GET":
        record(Action.VIEW, request=request, object_type="case", object_ref=case.reference)
    if request.method == "POST" and form.is_valid():
        services.case_update(case=case, data=form.cleaned_data, by=request.user)
        messages.success(request, _("Case details saved."))
        if services.handle_matches(user=request.user, handle=case.contact_handle, exclude=case):
            messages.warning(request, _("The new contact handle is already known: see below."))
        return _back(case)
    status = 400 if form.is_bound else 200
    return render(request, "intake/case_form.html", {"form": form, "case": case}, status=status)


@never_cache
@sensitive_post_parameters()
@require_POST
def note_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, note_form=form)
    with transaction.atomic():
        services.note_add(case=case, body=form.cleaned_data["body"], by=request.user)
        draft_discard(user=request.user, form=intake_drafts.NOTE, scope=case.reference)
    messages.success(request, _("Note added."))
    return _back(case)


@never_cache
@require_POST
def case_move(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    form = StatusForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.case_move(
                case=case,
                to=form.cleaned_data["to"],
                closure_reason=form.cleaned_data["closure_reason"],
                by=request.user,
            )
        except TransitionError as exc:
            form.add_error(None, str(exc))
    if not form.is_valid():
        return _detail(request, case, status=400, status_form=form)
    messages.success(request, _("Status changed to “%(s)s”.") % {"s": case.get_status_display()})
    return _back(case)


@never_cache
@require_POST
def follow_up_set(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, follow_up_form=form)
    services.case_set_follow_up(case=case, on=form.cleaned_data["follow_up_on"], by=request.user)
    messages.success(request, _("Follow-up date saved."))
    return _back(case)


@never_cache
@require_POST
def verification_set(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    form = VerificationForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, verification_form=form)
    try:
        services.case_set_verification(
            case=case, verification=form.cleaned_data["verification"], by=request.user
        )
    except PermissionDenied:
        form.add_error(None, _("Only a coordinator can lift a suspicion of provocation."))
        return _detail(request, case, status=403, verification_form=form)
    messages.success(request, _("Verification state saved."))
    return _back(case)


@never_cache
@require_POST
def channel_restore(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    services.case_restore_channel(case=case, by=request.user)
    messages.success(request, _("Recorded: the person has a new safe channel."))
    return _back(case)


@never_cache
@require_POST
def checkin_set(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    form = CheckInForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, checkin_form=form)
    services.checkin_set(case=case, due_at=form.cleaned_data["due_at"], by=request.user)
    messages.success(request, _("Check-in set."))
    return _back(case)


@never_cache
@require_POST
def checkin_heard(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    checkin = (
        case.checkins.filter(pk=posted_id(request, "checkin"), heard_at__isnull=True)
        .select_related("leg")
        .first()
    )
    if checkin is None:
        raise Http404
    if getattr(checkin, "leg", None) is not None:
        # An evacuation leg's arrival is confirmed on the leg, which answers
        # this check; answered here, the leg would stay under way, unwatched.
        messages.error(
            request, _("This is the arrival of an evacuation leg: confirm it on the plan.")
        )
        return _back(case)
    services.checkin_heard(checkin=checkin, by=request.user)
    messages.success(request, _("Recorded: heard from them."))
    return _back(case)


@never_cache
@require_POST
def legal_hold_set(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True, coordinate=True)
    hold = request.POST.get("hold") == "on"
    services.case_set_legal_hold(case=case, hold=hold, by=request.user)
    messages.success(request, _("Legal hold is on.") if hold else _("Legal hold is off."))
    return _back(case)


@never_cache
@require_POST
def case_assign(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True, coordinate=True)
    form = AssignForm(request.POST, assignees=assignees_in([case.team_id]))
    if not form.is_valid():
        return _detail(request, case, status=400, assign_form=form)
    services.case_assign(case=case, assignee=form.cleaned_data["assignee"], by=request.user)
    messages.success(request, _("Assignment saved."))
    return _back(case)
