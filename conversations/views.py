"""The team's side of the conversation: replies from the case page, and the team's
reply templates (coordinators)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from conversations import services
from conversations.forms import ReplyForm, ReplyTemplateForm
from conversations.selectors import (
    get_template_for,
    has_portal,
    require_template_manager,
    templates_for_case,
    templates_managed_by,
)
from core.forms import add_refusal
from core.http import posted_id
from intake.selectors import get_case_for, team_ids, teams_of
from intake.views import case_page


@never_cache
@sensitive_post_parameters()
@require_POST
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    """Send a reply; or, with "Insert", put a template's text in the reply box to edit."""
    case = get_case_for(request.user, reference, write=True)
    # Only a person with a portal can read it: elsewhere there is no conversation.
    if not has_portal(case):
        raise Http404
    form = ReplyForm(request.POST, templates=templates_for_case(case))
    if "insert" in request.POST:
        template = form.chosen_template()
        if template is None:
            form.refuse_insert()
            return case_page(request, case, status=400, reply_form=form)
        # Nothing is stored: the page comes back with the text to edit.
        form = form.with_template(template)
        return case_page(request, case, status=200 if form.is_valid() else 400, reply_form=form)
    if form.is_valid():
        try:
            services.team_replies(case=case, body=form.cleaned_data["body"], by=request.user)
        except ValidationError as exc:
            add_refusal(form, exc)
    if not form.is_valid():
        return case_page(request, case, status=400, reply_form=form)
    messages.success(request, _("Reply sent: the person sees it when they next sign in."))
    return redirect(f"{case.page_url}#conversation")


def _templates_page(request, *, status: int = 200, create_form=None, refused=None):
    templates = list(templates_managed_by(request.user).order_by("team__name", "language", "pk"))
    teams = teams_of(request.user)
    rows = []
    for template in templates:
        if refused is not None and refused.template_id == template.pk:
            rows.append((template, refused))
            continue
        initial = {
            "language": template.language,
            "title": template.title,
            "body": template.body,
        }
        form = ReplyTemplateForm(initial=initial, teams=None, auto_id=f"id_t{template.pk}_%s")
        rows.append((template, form))
    context = {
        "rows": rows,
        "create_form": create_form or ReplyTemplateForm(teams=teams),
        "several_teams": len(teams) > 1,
        # Named on its own too, so that the page's error summary finds it.
        "refused_form": refused,
    }
    return render(request, "conversations/reply_templates.html", context, status=status)


@never_cache
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    require_template_manager(request.user)
    return _templates_page(request)


@never_cache
@sensitive_post_parameters()
@require_POST
def template_create(request: HttpRequest) -> HttpResponse:
    require_template_manager(request.user)
    form = ReplyTemplateForm(request.POST, teams=teams_of(request.user))
    if request.user.shielded and form.is_valid():
        # Under duress or asleep nothing is written; the answer reads as a saved one's.
        messages.success(request, _("Template saved."))
        return redirect("conversations:template_list")
    # Another team's id, as another team's template: not there for this user.
    if posted_id(request, "team") not in team_ids(request.user):
        raise Http404
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reply_template_create(
                team=data["team"],
                language=data["language"],
                title=data["title"],
                body=data["body"],
                by=request.user,
            )
        except ValidationError as exc:
            add_refusal(form, exc)
    if not form.is_valid():
        return _templates_page(request, status=400, create_form=form)
    messages.success(request, _("Template saved."))
    return redirect("conversations:template_list")


@never_cache
@sensitive_post_parameters()
@require_POST
def template_update(request: HttpRequest) -> HttpResponse:
    template = get_template_for(request.user, posted_id(request, "template"))
    form = ReplyTemplateForm(request.POST, teams=None, auto_id=f"id_t{template.pk}_%s")
    form.template_id = template.pk
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reply_template_update(
                template=template,
                language=data["language"],
                title=data["title"],
                body=data["body"],
                by=request.user,
            )
        except ValidationError as exc:
            add_refusal(form, exc)
    if not form.is_valid():
        return _templates_page(request, status=400, refused=form)
    messages.success(request, _("Template saved."))
    return redirect("conversations:template_list")


@never_cache
@require_POST
def template_delete(request: HttpRequest) -> HttpResponse:
    template = get_template_for(request.user, posted_id(request, "template"))
    services.reply_template_delete(template=template, by=request.user)
    messages.success(request, _("Template deleted."))
    return redirect("conversations:template_list")
