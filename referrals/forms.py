from datetime import timedelta

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import CleanTextMixin, NamedEmptyChoiceMixin, NoAutofillMixin
from core.widgets import DateInput, DateTimeInput
from referrals.models import DRAFT_FIELDS, Partner, Referral


class PartnerForm(NoAutofillMixin, NamedEmptyChoiceMixin, CleanTextMixin, forms.ModelForm):
    # The free places the coordinator saw: if a referral was accepted while
    # the form was open, saving must not hand that place out again.
    capacity_seen = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Partner
        fields = [
            "name",
            "team",
            "kind",
            "services",
            "regions",
            "countries",
            "languages",
            "capacity",
            "ack_deadline_hours",
            "contact_details",
            "active",
        ]
        widgets = {"contact_details": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = user.teams.all()
        self.fields["capacity_seen"].initial = self.instance.capacity
        if user.teams.count() == 1:
            self.fields["team"].initial = user.teams.first()
            self.fields["team"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            stored = Partner.objects.values_list("capacity", flat=True).get(pk=self.instance.pk)
            if stored != data.get("capacity_seen"):
                self.add_error(
                    "capacity",
                    _("Free places changed to %(n)s meanwhile; check and save again.")
                    % {"n": "—" if stored is None else stored},
                )
                self.data = self.data.copy()
                self.data["capacity_seen"] = "" if stored is None else stored
        return data

    def clean_ack_deadline_hours(self):
        hours = self.cleaned_data["ack_deadline_hours"]
        if not 1 <= hours <= 24 * 30:
            raise ValidationError(_("Between 1 hour and 30 days."))
        return hours

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity is not None and capacity > 10_000:
            raise ValidationError(_("That is more places than any partner has."))
        return capacity


class PartnerStaffForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    username = forms.CharField(label=_("username"), max_length=150)
    password = forms.CharField(
        label=_("initial passphrase"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("15 characters or more; give it to them over a safe channel."),
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is taken."))
        return username

    def clean(self):
        data = super().clean()
        if "password" in data:
            validate_password(data["password"], User(username=data.get("username", "")))
        return data


class ReferralForm(NoAutofillMixin, NamedEmptyChoiceMixin, CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Referral
        fields = DRAFT_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "complete_by": DateInput(),
            "consent_at": DateTimeInput(),
        }

    def clean(self):
        data = super().clean()
        if data.get("consent_given"):
            if not data.get("consent_at"):
                self.add_error("consent_at", _("When did the person consent?"))
            elif data["consent_at"] > timezone.now():
                self.add_error("consent_at", _("Consent cannot be given in the future."))
            if not data.get("consent_channel"):
                self.add_error("consent_channel", _("How did the person consent?"))
        else:
            data["consent_at"] = None
            data["consent_channel"] = ""
        complete_by, today = data.get("complete_by"), timezone.localdate()
        if complete_by and not today <= complete_by <= today + timedelta(days=730):
            self.add_error("complete_by", _("Pick a date from today up to two years ahead."))
        return data


class DeclineForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    # Read before anything is declined: it names what to write, not a decline already made.
    note = forms.CharField(label=_("reason for declining"), max_length=1000)


class CompleteForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    note = forms.CharField(label=_("outcome"), max_length=2000, required=False)
