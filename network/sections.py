"""What network adds to the case page (registered in apps.py, intake/case_sections.py)."""

from accounts.models import User
from intake.models import Case
from network.forms import ContactsForm, HandledForm, LinkForm, MergeForm
from network.selectors import links_shown, open_exposures_on


def exposures(case: Case, *, user: User, forms: dict) -> dict:
    """The open warnings, at the top of the page, each with its "what was done" form."""
    refused = forms.get("handled_form")
    rows = []
    for exposure in open_exposures_on(case, user):
        form = refused if refused is not None and refused.exposure_id == exposure.pk else None
        rows.append((exposure, form or HandledForm(exposure_id=exposure.pk)))
    return {"exposures": rows}


def links(case: Case, *, user: User, forms: dict) -> dict:
    return {
        "links": links_shown(case, user),
        "link_form": forms.get("link_form") or LinkForm(user=user),
        "contacts_form": forms.get("contacts_form") or ContactsForm(),
        "merge_form": MergeForm(user=user, auto_id="id_merge_%s"),
    }
