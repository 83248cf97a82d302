"""The dossier for a lawyer: the form, and the ZIP it makes (evidence/dossier.py)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.reauth import recent_auth_required
from core.forms import add_refusal
from evidence import dossier as dossiers
from evidence.dossier_forms import DossierForm
from evidence.selectors import files_of
from evidence.views import harden
from intake.selectors import get_case_for


@never_cache
@sensitive_post_parameters()
@recent_auth_required  # originals may go in: the password again, as for one original
@require_http_methods(["GET", "POST"])
def dossier(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: the form. POST: the ZIP, recorded in the trail, or the form again with the reasons."""
    case = get_case_for(request.user, reference, coordinate=True)
    form = DossierForm(request.POST or None, files=list(files_of(case)))
    if request.method == "POST" and form.is_valid():
        try:
            made, stream = dossiers.build(
                case=case,
                by=request.user,
                files=form.cleaned_data["file_copies"],
                fields=form.cleaned_data["case_fields"],
                consent_at=form.cleaned_data["consent_at"],
                consent_channel=form.cleaned_data["consent_channel"],
                request=request,
            )
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            response = StreamingHttpResponse(stream, content_type="application/zip")
            name = dossiers.zip_name(made.export_id)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return harden(response)
    status = 400 if request.method == "POST" else 200
    return render(request, "evidence/dossier.html", {"case": case, "form": form}, status=status)
