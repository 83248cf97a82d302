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


class NoAutofillBoundField(forms.BoundField):
    # Chromium keeps what is submitted through a field without
    # autocomplete="off" in the profile's autofill table (Web Data), where a
    # seized laptop hands it over and the next form offers it. A widget that
    # names what it holds (new-password) keeps its own; checkboxes and radios
    # take no such attribute and follow their form's.
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if not (widget.is_hidden or "autocomplete" in widget.attrs or _is_choice_box(widget)):
            attrs.setdefault("autocomplete", "off")
        return attrs


def _is_choice_box(widget: forms.Widget) -> bool:
    return getattr(widget, "input_type", None) in ("checkbox", "radio")


class NoAutofillMixin:
    """Render every visible field of a form that takes case data with autocomplete="off"."""

    bound_field_class = NoAutofillBoundField


def add_refusal(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on the form, beside the field it names (or above the form),
    where the person is looking."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
