from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin, NamedEmptyChoiceMixin, NoAutofillMixin
from core.widgets import DateTimeInput
from evidence.models import DESCRIPTION_MAX, Purpose
from referrals.models import ConsentChannel


class UploadForm(NoAutofillMixin, NamedEmptyChoiceMixin, CleanTextMixin, forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_(
            "A photo, PDF, audio recording or plain text. Metadata is removed "
            "from the copy everyone works with."
        ),
        error_messages={"required": _("Choose a file to add."), "empty": _("This file is empty.")},
    )
    description = forms.CharField(
        label=_("description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        help_text=_("What it shows and where it comes from, in a few words."),
        widget=forms.TextInput(),
    )
    note = forms.ModelChoiceField(label=_("with the note"), queryset=None, required=False)
    empty_choice_labels = {"note": _("No note")}

    def __init__(self, *args, case, refusal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].queryset = case.notes.select_related("author").order_by("-created_at")
        self.fields["note"].label_from_instance = lambda note: (
            f"{timezone.localtime(note.created_at):%Y-%m-%d %H:%M} · {note.author or '—'}"
        )
        self.refusal = refusal

    def clean(self):
        data = super().clean()
        if self.refusal is not None:
            # The handler dropped the file: "choose a file" would be beside the point.
            self.errors.pop("file", None)
            self.add_error("file", self.refusal.message)
        return data


class OriginalForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("purpose"), choices=[("", _("Choose why"))] + Purpose.choices
    )


class ConsentFormMixin(forms.Form):
    """When and how the person consented, as a referral records it; each form says to what
    in its own `consent_given`."""

    consent_at = forms.DateTimeField(label=_("consent given at"), widget=DateTimeInput())
    consent_channel = forms.ChoiceField(
        label=_("consent given"), choices=[("", _("Choose how"))] + ConsentChannel.choices
    )

    def clean_consent_at(self):
        value = self.cleaned_data["consent_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("Consent cannot be given in the future."))
        return value


class ShareForm(NoAutofillMixin, ConsentFormMixin):
    referral = forms.ChoiceField(label=_("referral"))
    consent_given = forms.BooleanField(
        label=_("the person consented to sharing this file with the partner"),
        error_messages={"required": _("A file is shared only with the person's consent.")},
    )
    field_order = ["referral", "consent_given", "consent_at", "consent_channel"]

    def __init__(self, *args, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.referrals = {r.reference: r for r in referrals}
        self.fields["referral"].choices = [("", _("Choose the referral"))] + [
            (r.reference, f"{r.partner.name} · {r.get_service_display()}") for r in referrals
        ]

    def chosen_referral(self):
        return self.referrals[self.cleaned_data["referral"]]
