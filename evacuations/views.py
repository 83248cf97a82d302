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
from drafts.services import draft_discard, draft_slot
from evacuations import drafts as leg_drafts
from evacuations import route_figures, services
from evacuations.forms import (
    CancelForm,
    CompleteForm,
    DocumentsForm,
    FailForm,
    LegForm,
    PlanForm,
    RouteSaveForm,
)
from evacuations.models import Plan
from evacuations.selectors import get_leg, get_plan_for, get_route_for, legs_of, routes_for
from evacuations.status import LegStatus, PlanError
from intake.selectors import get_case_for


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _record_read(request: HttpRequest, plan: Plan, **detail) -> None:
    # Reading a plan is reading the case (alias, destination, meeting points):
    # it counts where an auditor and the many-cases alert look, on the case.
    record(
        Action.VIEW,
        request=request,
        object_type="case",
        object_ref=plan.case.reference,
        detail={"evacuation": plan.reference, **detail},
    )


def _back(plan: Plan) -> HttpResponse:
    return redirect("evacuations:plan_detail", reference=plan.reference)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_open(
                case=case,
                data=form.cleaned_data,
                by=request.user,
                template=form.cleaned_data["template"],
                start_on=form.cleaned_data["start_on"],
            )
        except (PlanError, ValidationError) as exc:
            form.add_error(None, _problem(exc))
        else:
            messages.success(request, _("Evacuation plan opened."))
            return _back(plan)
    status = 400 if form.is_bound else 200
    return render(
        request, "evacuations/plan_form.html", {"case": case, "form": form}, status=status
    )


def _detail(
    request: HttpRequest, plan: Plan, *, status: int = 200, fail_form=None, **forms
) -> HttpResponse:
    """Render the plan; a failed form is passed in bound, with its errors."""
    legs = legs_of(plan)
    leg_draft = draft_slot(user=request.user, form=leg_drafts.NEW, scope=plan.reference)
    documents = list(plan.documents.all())  # the form and the read-only list share one read
    planned = [leg.status == LegStatus.PLANNED for leg in legs]
    for i, leg in enumerate(legs):
        # One form per leg under way, each with ids of its own.
        bound = fail_form is not None and fail_form.prefix == leg.key
        leg.fail_form = fail_form if bound else FailForm(prefix=leg.key)
        # Only planned legs trade places (leg_reorder): offer no button that would fail.
        leg.can_go_up = planned[i] and i > 0 and planned[i - 1]
        leg.can_go_down = planned[i] and i + 1 < len(legs) and planned[i + 1]
    context = {
        "plan": plan,
        "case": plan.case,
        "legs": legs,
        "documents": documents,
        "leg_form": LegForm(plan=plan, initial=leg_draft.initial()),
        "leg_draft": leg_draft,
        "complete_form": CompleteForm(),
        "cancel_form": CancelForm(),
        "documents_form": DocumentsForm(documents=documents),
        "can_relocate": services.can_relocate(plan.case),
        # Offer "complete" only when it can work: a button that always fails is noise.
        "can_complete": not plan.completion_problem(),
    }
    context.update(forms)
    return render(request, "evacuations/plan_detail.html", context, status=status)


@never_cache
@require_GET
def plan_detail(request: HttpRequest, reference: str) -> HttpResponse:
    plan = get_plan_for(request.user, reference)
    _record_read(request, plan)
    return _detail(request, plan)


@never_cache
@sensitive_post_parameters()
@require_POST
def leg_add(request: HttpRequest, reference: str) -> HttpResponse:
    plan = get_plan_for(request.user, reference, write=True)
    form = LegForm(request.POST, plan=plan)
    if not form.is_valid():
        return _detail(request, plan, status=400, leg_form=form)
    try:
        with transaction.atomic():
            services.leg_add(plan=plan, data=form.cleaned_data, by=request.user)
            draft_discard(user=request.user, form=leg_drafts.NEW, scope=plan.reference)
    except (PlanError, ValidationError) as exc:
        form.add_error(None, _problem(exc))
        return _detail(request, plan, status=400, leg_form=form)
    messages.success(request, _("Leg added."))
    return _back(plan)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def leg_edit(request: HttpRequest, reference: str, key: str) -> HttpResponse:
    plan = get_plan_for(request.user, reference, write=True)
    leg = get_leg(plan, key)
    if request.method == "GET":
        _record_read(request, plan, leg=leg.key)
    draft = draft_slot(
        user=request.user,
        form=leg_drafts.EDIT,
        scope=leg_drafts.edit_scope(plan, leg),
        read=request.method == "GET",
    )
    form = LegForm(request.POST or None, instance=leg, plan=plan, initial=draft.initial())
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.leg_update(leg=leg, data=form.cleaned_data, by=request.user)
                draft_discard(user=request.user, form=draft.form, scope=draft.scope)
        except (PlanError, ValidationError) as exc:
            form.add_error(None, _problem(exc))
        else:
            messages.success(request, _("Leg saved."))
            return _back(plan)
    context = {"plan": plan, "case": plan.case, "leg": leg, "form": form, "draft": draft}
    return render(
        request, "evacuations/leg_form.html", context, status=400 if form.is_bound else 200
    )


@never_cache
@sensitive_post_parameters()
@require_POST
def leg_act(request: HttpRequest, reference: str, key: str, action: str) -> HttpResponse:
    plan = get_plan_for(request.user, reference, write=True)
    leg = get_leg(plan, key)
    by = request.user
    simple = {
        "start": lambda: services.leg_start(leg=leg, by=by),
        "arrived": lambda: services.leg_arrived(leg=leg, by=by),
        "cancel": lambda: services.leg_cancel(leg=leg, by=by),
        "up": lambda: services.leg_reorder(leg=leg, up=True, by=by),
        "down": lambda: services.leg_reorder(leg=leg, up=False, by=by),
    }
    if action not in simple and action != "fail":
        raise Http404
    try:
        if action == "fail":
            form = FailForm(request.POST, prefix=leg.key)
            if not form.is_valid():
                return _detail(request, plan, status=400, fail_form=form)
            services.leg_fail(
                leg=leg,
                next_step=form.cleaned_data["next_step"],
                outcome=form.cleaned_data["outcome"],
                by=by,
            )
        else:
            simple[action]()
    except PlanError as exc:
        messages.error(request, str(exc))
    return _back(plan)


@never_cache
@require_POST
def documents_set(request: HttpRequest, reference: str) -> HttpResponse:
    plan = get_plan_for(request.user, reference, write=True)
    form = DocumentsForm(request.POST)
    if not form.is_valid():
        return _detail(request, plan, status=400, documents_form=form)
    try:
        services.documents_set(plan=plan, statuses=form.cleaned_data, by=request.user)
    except PlanError as exc:
        messages.error(request, str(exc))
    return _back(plan)


@never_cache
@require_POST
def plan_complete(request: HttpRequest, reference: str) -> HttpResponse:
    plan = get_plan_for(request.user, reference, write=True)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        return _detail(request, plan, status=400, complete_form=form)
    try:
        services.plan_complete(
            plan=plan,
            by=request.user,
            relocate=form.cleaned_data["relocate"],
            not_relocated=form.cleaned_data["not_relocated"],
        )
    except PlanError as exc:
        form.add_error(None, str(exc))
        return _detail(request, plan, status=400, complete_form=form)
    messages.success(request, _("Evacuation completed."))
    return _back(plan)


@never_cache
@sensitive_post_parameters()
@require_POST
def plan_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    plan = get_plan_for(request.user, reference, write=True)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _detail(request, plan, status=400, cancel_form=form)
    try:
        services.plan_cancel(plan=plan, by=request.user, note=form.cleaned_data["note"])
    except PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Evacuation plan cancelled."))
    return _back(plan)


@never_cache
@require_http_methods(["GET", "POST"])
def route_save(request: HttpRequest, reference: str) -> HttpResponse:
    plan = get_plan_for(request.user, reference, write=True)
    if not request.user.coordinates:
        raise PermissionDenied
    form = RouteSaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            route = services.route_template_save(
                plan=plan, name=form.cleaned_data["name"], by=request.user
            )
        except (PlanError, ValidationError) as exc:
            form.add_error("name", _problem(exc))
        else:
            messages.success(request, _("Route “%(name)s” saved.") % {"name": route.name})
            return redirect("evacuations:route_list")
    context = {"plan": plan, "case": plan.case, "form": form, "legs": legs_of(plan)}
    return render(
        request, "evacuations/route_form.html", context, status=400 if form.is_bound else 200
    )


@never_cache
@require_GET
def route_list(request: HttpRequest) -> HttpResponse:
    routes = list(routes_for(request.user))
    # The numbers are for those who choose routes: coordinators.
    statistics = route_figures.for_routes(routes) if request.user.coordinates else None
    rows = [(route, statistics[route.pk] if statistics else None) for route in routes]
    context = {"rows": rows, "statistics": statistics}
    return render(request, "evacuations/route_list.html", context)


@never_cache
@require_POST
def route_toggle(request: HttpRequest, reference: str) -> HttpResponse:
    route = get_route_for(request.user, reference, coordinate=True)
    route.active = not route.active
    route.save(update_fields=["active"])
    record(
        Action.UPDATE,
        request=request,
        object_type="route",
        object_ref=route.reference,
        detail={"active": route.active},
    )
    return redirect("evacuations:route_list")
