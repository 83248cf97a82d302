from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import NoAutofillMixin


class ForgetForm(NoAutofillMixin, forms.Form):
    REASONS = [
        ("person_asked", gettext_lazy("The person asked us to forget them")),
        ("safety", gettext_lazy("Keeping the record endangers the person")),
        ("error", gettext_lazy("Recorded by mistake")),
    ]
    reason = forms.ChoiceField(label=gettext_lazy("reason"), choices=REASONS)
    confirm = forms.CharField(
        label=gettext_lazy("type the case reference to confirm"), max_length=20
    )

    def __init__(self, *args, reference: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.reference = reference

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip().upper() != self.reference:
            raise forms.ValidationError(_("That is not this case's reference."))
        return self.cleaned_data["confirm"]
