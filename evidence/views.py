"""The files card's forms, and every way a file leaves: each audited, streamed, never rendered.

A download is an attachment with a neutral name, `nosniff`, a sandboxing
CSP and `no-store`. Only an image's preview is shown inline: a JPEG made on
the server from the working copy. The sealed original leaves only to a
coordinator who confirmed their password and said why.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.reauth import recent_auth_required
from core.forms import add_refusal
from evidence import sealing, services, uploads
from evidence.content import Refused, extension
from evidence.forms import OriginalForm, ShareForm, UploadForm
from evidence.models import Copy, EvidenceFile
from evidence.selectors import get_file_for, get_shared_file, shareable_referrals
from intake.selectors import get_case_for
from intake.views import case_page

SANDBOX = "sandbox; default-src 'none'; frame-ancestors 'none'"


def harden(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "no-store, private, max-age=0"
    return response


def _attachment(file: EvidenceFile, copy: str) -> StreamingHttpResponse:
    """The copy as a download named only by its reference: never its own name."""
    mime = file.original_mime if copy == Copy.ORIGINAL else file.clean_mime
    size = file.original_size if copy == Copy.ORIGINAL else file.clean_size
    suffix = "-original" if copy == Copy.ORIGINAL else ""
    name = f"corridor-{file.reference}{suffix}{extension(mime)}"
    # Decrypts the first segment now: a wrong key fails before the response starts.
    response = StreamingHttpResponse(
        sealing.chunks(file, copy), content_type="application/octet-stream"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Length"] = str(size)
    return harden(response)


def _preview(file: EvidenceFile) -> HttpResponse:
    if not file.preview_object:
        raise Http404  # nothing but an image is ever shown in the page
    # Made when the photo was added (services.file_add): a small JPEG, read whole.
    response = HttpResponse(sealing.read_all(file, Copy.PREVIEW), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="corridor-{file.reference}.jpg"'
    return harden(response)


def _to_file(case, file: EvidenceFile) -> HttpResponse:
    """Back to the case page, at the file: the page's messages are at its top, out of view."""
    return redirect(f"{reverse('intake:case_detail', args=[case.reference])}#file-{file.reference}")


@never_cache
@sensitive_post_parameters()
@require_POST
def upload(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case_for(request.user, reference, write=True)
    handler = uploads.handler_of(request)
    form = UploadForm(
        request.POST, request.FILES, case=case, refusal=handler.refusal if handler else None
    )
    if form.is_valid():
        try:
            file = services.file_add(
                case=case,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
                note=form.cleaned_data["note"],
                by=request.user,
                max_pixels=settings.MAX_IMAGE_PIXELS,
                request=request,
            )
        except Refused as exc:
            form.add_error("file", exc.message)
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            messages.success(
                request,
                _(
                    "File %(ref)s added: the original is sealed, and everyone works "
                    "with the copy without metadata."
                )
                % {"ref": file.reference},
            )
            return _to_file(case, file)
    return case_page(request, case, status=400, upload_form=form)


upload.receives_files = True  # evidence/middleware.py: the body goes through the sealing handler


@never_cache
@require_GET
def download(request: HttpRequest, reference: str) -> HttpResponse:
    file, _case = get_file_for(request.user, reference)
    response = _attachment(file, Copy.CLEAN)
    services.downloaded(file, by=request.user, request=request)
    return response


@never_cache
@require_GET
def preview(request: HttpRequest, reference: str) -> HttpResponse:
    file, _case = get_file_for(request.user, reference)
    response = _preview(file)
    services.downloaded(file, by=request.user, request=request, preview=True)
    return response


@never_cache
@recent_auth_required
@require_http_methods(["GET", "POST"])
def original(request: HttpRequest, reference: str) -> HttpResponse:
    """The sealed original, exactly as received: coordinators, password confirmed, purpose given."""
    file, case = get_file_for(request.user, reference, coordinate=True)
    form = OriginalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _attachment(file, Copy.ORIGINAL)
        services.original_taken(
            file, by=request.user, purpose=form.cleaned_data["purpose"], request=request
        )
        return response
    status = 400 if request.method == "POST" else 200
    return render(
        request, "evidence/original.html", {"file": file, "case": case, "form": form}, status=status
    )


@never_cache
@sensitive_post_parameters()
@require_POST
def share(request: HttpRequest, reference: str) -> HttpResponse:
    file, case = get_file_for(request.user, reference, write=True)
    form = ShareForm(request.POST, referrals=shareable_referrals(case), prefix=file.reference)
    if form.is_valid():
        try:
            services.file_share(
                file=file,
                referral=form.chosen_referral(),
                consent_at=form.cleaned_data["consent_at"],
                consent_channel=form.cleaned_data["consent_channel"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            add_refusal(form, exc)
        else:
            messages.success(
                request, _("File %(ref)s shared with the partner.") % {"ref": file.reference}
            )
            return _to_file(case, file)
    return case_page(request, case, status=400, share_form=form)


@never_cache
@require_POST
def unshare(request: HttpRequest, reference: str) -> HttpResponse:
    file, case = get_file_for(request.user, reference, write=True)
    share = file.shares.filter(referral__reference=request.POST.get("referral", "")).first()
    if share is None:
        raise Http404
    partner = share.referral.partner.name
    services.file_unshare(share=share, by=request.user, request=request)
    messages.success(
        request,
        _("File %(ref)s is no longer shared with %(partner)s.")
        % {"ref": file.reference, "partner": partner},
    )
    return _to_file(case, file)


# --- The partner's side -------------------------------------------------------------


@never_cache
@require_GET
def partner_download(request: HttpRequest, referral: str, reference: str) -> HttpResponse:
    file, _referral = get_shared_file(request.user, referral, reference)
    response = _attachment(file, Copy.CLEAN)
    services.downloaded(file, by=request.user, request=request)
    return response


@never_cache
@require_GET
def partner_preview(request: HttpRequest, referral: str, reference: str) -> HttpResponse:
    file, _referral = get_shared_file(request.user, referral, reference)
    response = _preview(file)
    services.downloaded(file, by=request.user, request=request, preview=True)
    return response
