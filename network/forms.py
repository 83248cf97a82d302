from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import CleanTextMixin, NoAutofillMixin
from intake.selectors import case_by_typed_reference
from network.models import Handled
from network.services import CONTACTS_MAX_CHARS, CONTACTS_MAX_LINES, LINK_KINDS

# The one answer for a reference the user may not use, whether it exists in
# another team or nowhere: the box must not tell which references exist.
NOT_AMONG_YOURS = _("No case with this reference among your teams.")


class ReferenceField(forms.CharField):
    """A case reference as a person types it (dashes optional), cleaned to one of the
    user's teams' cases."""

    def __init__(self, **kwargs):
        # Any length, no maxlength in the page: whatever does not name one of
        # the user's cases gets the one answer below.
        widget = forms.TextInput(
            attrs={"spellcheck": "false", "autocapitalize": "characters", "inputmode": "text"}
        )
        super().__init__(widget=widget, **kwargs)
        self.user: User | None = None

    def clean(self, value):
        typed = super().clean(value)
        case = case_by_typed_reference(self.user, typed) if self.user is not None else None
        if case is None:
            raise ValidationError(NOT_AMONG_YOURS, code="not_among_yours")
        return case


class LinkForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    reference = ReferenceField(
        label=_("reference of the other case"),
        help_text=_("For example 7K2M-9QXD-4TPA; the dashes may be left out."),
    )
    kind = forms.ChoiceField(
        label=_("what links them"),
        choices=[("", _("Choose what links them")), *((k.value, k.label) for k in LINK_KINDS)],
    )

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("auto_id", "id_link_%s")  # the case page has many forms
        super().__init__(*args, **kwargs)
        self.fields["reference"].user = user


class MergeForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    into = ReferenceField(
        label=_("reference of the case to keep"),
        help_text=_("This case is closed as its duplicate; everything on it moves there."),
    )
    # Set by the confirmation step, which shows both cases first.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].user = user


class ContactsForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    """Handles found in a seized phone's contacts, one a line. Never kept: no draft,
    no autofill, only their blind indexes are compared."""

    contacts = forms.CharField(
        label=_("handles and numbers found in the seized phone's contacts"),
        help_text=_(
            "One a line, as many as you found (up to 1,000 lines). They are compared "
            "with your teams' cases and not kept."
        ),
        required=False,
        strip=False,
        # No max_length: the browser would cut a long paste silently.
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "off"}),
    )

    def clean_contacts(self) -> str:
        text = self.cleaned_data["contacts"]
        if len(text) > CONTACTS_MAX_CHARS:
            raise ValidationError(
                _(
                    "That is %(n)s characters; at most %(max)s at a time. "
                    "Send this part in two or more goes."
                )
                % {"n": f"{len(text):,}", "max": f"{CONTACTS_MAX_CHARS:,}"}
            )
        lines = sum(1 for line in text.splitlines() if line.strip())
        if lines > CONTACTS_MAX_LINES:
            raise ValidationError(
                _("That is %(n)s lines; at most %(max)s at a time. Send the rest in a second go.")
                % {"n": f"{lines:,}", "max": f"{CONTACTS_MAX_LINES:,}"}
            )
        return text


class HandledForm(NoAutofillMixin, forms.Form):
    """What was done about one warning; several on a page, each with ids of its own."""

    how = forms.ChoiceField(
        label=_("what was done"),
        choices=[("", _("Choose what was done")), *Handled.choices],
    )

    def __init__(self, *args, exposure_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"id_exposure{exposure_id}_%s")
        super().__init__(*args, **kwargs)
        self.exposure_id = exposure_id
