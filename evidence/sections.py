"""What evidence adds to the case page and to a partner's referral page (apps.py)."""

from django.conf import settings

from accounts.models import User
from evidence.forms import ShareForm, UploadForm
from evidence.selectors import files_of, shareable_referrals, shared_files
from intake.models import Case
from referrals.models import Referral


def files(case: Case, *, user: User, forms: dict) -> dict:
    """The files card: every live file of the case, and the forms to add and share."""
    # What the card does not show is not decrypted: the copies' types, the wrapped key.
    rows = list(
        files_of(case)
        .defer("original_mime", "clean_mime", "wrapped_key")
        .prefetch_related("shares__referral__partner")
    )
    data = {"files": rows, "max_mb": settings.MAX_UPLOAD_MB}
    if user.works_cases:
        referrals = shareable_referrals(case)
        data["upload_form"] = forms.get("upload_form") or UploadForm(case=case)
        data["referrals"] = referrals
        # One form a file, its fields named after it; a refused one comes back bound.
        refused = forms.get("share_form")
        for row in rows:
            if refused is not None and refused.prefix == row.reference:
                row.share_form = refused
            else:
                row.share_form = ShareForm(referrals=referrals, prefix=row.reference)
    return data


def shared_with_partner(referral: Referral, *, channels_burned: bool) -> list:
    """The working copies shared with this referral while it is open (files are not
    channels: a burned phone does not hide them)."""
    # Type and size: the name and the description were never shared.
    return list(shared_files(referral).only("reference", "kind", "clean_size", "preview_object"))
