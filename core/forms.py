"""Form parts every app's forms use: clean text, and empty choices that say what they mean."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def reject_control_characters(value: str) -> None:
    """Refuse control characters (null bytes included): they hide text or break exports."""
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS:
            raise ValidationError(_("Remove the invisible control characters from this text."))


class CleanTextMixin:
    """Apply reject_control_characters to every text field of the form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if isinstance(f, forms.CharField):
                f.validators.append(reject_control_characters)


DASH = BLANK_CHOICE_DASH[0][1]


class NamedEmptyChoiceMixin:
    """Name the empty choice of every select: "---------" says nothing, in either language.

    `empty_choice_labels` names it per field where "not chosen" is not what it means.
    """

    empty_choice_labels: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = self.empty_choice_labels.get(name, _("Not chosen"))
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == DASH:
                    field.empty_label = label
            elif isinstance(field, forms.ChoiceField) and ("", DASH) in field.choices:
                field.choices = [
                    (value, label if (value, text) == ("", DASH) else text)
                    for value, text in field.choices
                ]
