import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


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
