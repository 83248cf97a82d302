"""The portal's forms: what the person types, checked as intake's forms check staff input."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from conversations.models import MESSAGE_MAX
from core.forms import CleanTextMixin, NamedEmptyChoiceMixin, NoAutofillMixin
from intake.choices import Channel, Language, Need, Region, Risk
from portal import codenames

ALIAS_MAX = 80
NARRATIVE_MAX = 5000
HANDLE_MAX = 200
SAFE_CONTACT_MAX = 900  # with the channel's name in front, inside the case's 1,000

ONLY_HERE = "here"
# How the person may be reached besides this page: intake's channels, the portal aside.
REACH = [
    (ONLY_HERE, _("Only here, on this site")),
    *((value, label) for value, label in Channel.choices if value != Channel.PORTAL),
]
# "Are you in danger now?" sets the risk, and so how soon the first answer is due.
DANGER = [
    (str(Risk.CRITICAL), _("Yes, right now")),
    (str(Risk.HIGH), _("I am afraid it will happen soon")),
    (str(Risk.MEDIUM), _("No, but I need help")),
]


def visible(text: str) -> bool:
    """Whether the text shows anything: not only spaces, zero-width or direction marks."""
    return any(not ch.isspace() and unicodedata.category(ch) not in INVISIBLE for ch in text)


INVISIBLE = {"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"}


class PortalForm(NoAutofillMixin, NamedEmptyChoiceMixin, CleanTextMixin, forms.Form):
    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            value = data.get(name)
            if isinstance(value, str) and value and not visible(value):
                if field.required:
                    self.add_error(name, _("Only invisible characters here: write some text."))
                else:
                    data[name] = ""
        return data


class RequestForm(PortalForm):
    alias = forms.CharField(
        label=_("What should we call you?"),
        help_text=_("Any name: not your real one."),
        max_length=ALIAS_MAX,
    )
    narrative = forms.CharField(
        label=_("What happened?"),
        help_text=_("As much or as little as you want to tell."),
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    needs = forms.MultipleChoiceField(
        label=_("What do you need?"),
        choices=Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    danger = forms.ChoiceField(
        label=_("Are you in danger right now?"), choices=DANGER, widget=forms.RadioSelect
    )
    region = forms.ChoiceField(
        label=_("Where are you?"), choices=[("", _("Choose")), *Region.choices]
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you can write in"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reach = forms.ChoiceField(
        label=_("How may we reach you safely?"),
        choices=REACH,
        initial=ONLY_HERE,
        widget=forms.RadioSelect,
    )
    handle = forms.CharField(
        label=_("Your username, number or address there"),
        max_length=HANDLE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
    )
    safe_contact = forms.CharField(
        label=_("When and how is it safe to write to you?"),
        help_text=_("For example: never call; relatives read my messages in the evening."),
        max_length=SAFE_CONTACT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("reach") not in (None, ONLY_HERE) and not data.get("handle", "").strip():
            self.add_error("handle", _("Say where we can reach you, or choose “Only here”."))
        return data

    def case_data(self) -> dict:
        """The fields of intake's case, from what the person typed."""
        data = self.cleaned_data
        reach = data["reach"]
        elsewhere = reach != ONLY_HERE
        safe_contact = data["safe_contact"].strip()
        if elsewhere:
            safe_contact = f"{Channel(reach).label}: {safe_contact}".rstrip(": ")
        return {
            "alias": data["alias"].strip(),
            "contact_handle": data["handle"].strip() if elsewhere else "",
            "safe_contact": safe_contact,
            "region": data["region"],
            "location": "",
            "threats": [],
            "needs": data["needs"],
            "languages": data["languages"],
            "risk": int(data["danger"]),
            "narrative": data["narrative"].strip(),
        }


class SignInForm(PortalForm):
    codename = forms.CharField(
        label=_("Your codename"),
        help_text=_("The words you were given, in order, with spaces."),
        max_length=codenames.MAX_LENGTH,
        # A text box, not a password one: browsers offer to save what a password
        # box holds (and some sync it to an account), whatever autocomplete says.
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean_codename(self):
        typed = self.cleaned_data["codename"]
        if len(codenames.normalise(typed).split()) < 2:
            raise ValidationError(_("Type all the words of your codename."))
        return typed


class MessageForm(PortalForm):
    body = forms.CharField(
        label=_("Your message"), max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError(_("Write something first."))
        return body


class ForgetForm(PortalForm):
    sure = forms.BooleanField(
        label=_("Yes, delete my request and everything we wrote each other."), required=True
    )
