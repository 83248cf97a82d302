import functools
import zoneinfo
from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import coercion
from core.widgets import DateInput


class LanguageForm(forms.Form):
    """The language switch: a language the site offers, or empty to follow the browser."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As the browser asks")), *settings.LANGUAGES],
        required=False,
    )


@functools.cache
def zone_choices() -> list[tuple[str, str]]:
    """Every zone of the form Region/City, the ones our users live in first."""
    first = ["Europe/Moscow", "Asia/Baku", "Asia/Dushanbe", "Asia/Tbilisi", "Asia/Yerevan"]
    rest = sorted(
        zone
        for zone in zoneinfo.available_timezones()
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/")) and zone not in first
    )
    return [(zone, zone.replace("_", " ")) for zone in [*first, *rest]]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = _("The organisation's (%(zone)s)") % {"zone": settings.TIME_ZONE}
        self.fields["time_zone"].choices = [("", default), *zone_choices()]


class DuressPasswordForm(forms.Form):
    """A duress password: different from the real one, held to the same rules."""

    password1 = forms.CharField(
        label=_("Duress password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The duress password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    without_code = forms.BooleanField(
        label=_("Duress works without the code"),
        required=False,
        help_text=_(
            "At the second step any code is taken. Choose it if your authenticator would not "
            "be with you; but someone who types a wrong code and gets in may guess."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            # Under duress the session may be the coercer's: no answer says what the
            # real password is not (a match would only make it a duress one too).
            if self.user.duress_at is None and self.user.check_password(first):
                self.add_error("password1", _("It must differ from your real password."))
            else:
                # The same rules as the real password, but the one against itself.
                rules = [
                    rule
                    for rule in password_validation.get_default_password_validators()
                    if not isinstance(rule, coercion.DiffersFromDuressPassword)
                ]
                try:
                    password_validation.validate_password(first, self.user, rules)
                except ValidationError as error:
                    self.add_error("password1", error)
        return data


class TravelForm(forms.Form):
    """Travel mode: the last day the account stays asleep."""

    MAX_DAYS = 90

    until = forms.DateField(
        label=_("Asleep until the end of"),
        widget=DateInput(),
        help_text=_("At most 90 days. A coordinator can wake it earlier, with your password."),
    )

    def __init__(self, *args, confirm: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if confirm:
            # The password was checked too long ago: asked here, beside the day, which a
            # separate confirmation page would lose (its answer cannot send the form again).
            self.fields["password"] = forms.CharField(
                label=_("your password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                error_messages={
                    "required": _("Type your password too: it was last confirmed a while ago.")
                },
            )

    def clean_until(self):
        day = self.cleaned_data["until"]
        # Days of the organisation's zone: a zone of one's own cannot bring the end closer.
        today = timezone.localdate(timezone=timezone.get_default_timezone())
        if day < today:
            raise ValidationError(_("Choose today or a day after it."))
        if day > today + timedelta(days=self.MAX_DAYS):
            raise ValidationError(_("At most 90 days from today."))
        return day

    def until_time(self) -> datetime:
        """The end of the chosen day, in the organisation's time zone."""
        day = self.cleaned_data["until"] + timedelta(days=1)
        return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())
