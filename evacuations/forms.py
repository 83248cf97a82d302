from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import CleanTextMixin, NamedEmptyChoiceMixin, NoAutofillMixin
from core.widgets import DateInput
from evacuations.models import (
    DocumentKind,
    DocumentStatus,
    Leg,
    NotRelocated,
    Plan,
    RouteTemplate,
)
from evacuations.services import LEG_FIELDS, PLAN_FIELDS
from evacuations.status import NextStep
from referrals.models import Referral
from referrals.status import OPEN

# Plans look back a little (recording what already happened) and ahead a
# couple of years; a date outside is a typo, and year 9999 breaks date arithmetic.
PAST, FUTURE = timedelta(days=366), timedelta(days=3 * 366)


def plausible_date(value: date | None) -> None:
    today = timezone.localdate()
    if value is not None and not today - PAST <= value <= today + FUTURE:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s."),
            params={"first": today - PAST, "last": today + FUTURE},
        )


class PlanForm(NoAutofillMixin, NamedEmptyChoiceMixin, CleanTextMixin, forms.ModelForm):
    template = forms.ModelChoiceField(
        queryset=RouteTemplate.objects.filter(active=True),
        required=False,
        label=_("start from a route"),
        empty_label=_("No route: add the legs one by one"),
    )
    start_on = forms.DateField(
        required=False,
        validators=[plausible_date],
        label=_("first leg starts on"),
        help_text=_("With a route, its legs are dated from this day by their typical durations."),
        widget=DateInput(),
    )

    class Meta:
        model = Plan
        fields = PLAN_FIELDS


class LegForm(NoAutofillMixin, NamedEmptyChoiceMixin, CleanTextMixin, forms.ModelForm):
    empty_choice_labels = {
        "partner_kind": _("No partner needed"),
        "referral": _("No partner chosen yet"),
    }

    class Meta:
        model = Leg
        fields = LEG_FIELDS
        widgets = {
            "planned_start": DateInput(),
            "planned_end": DateInput(),
            "details": forms.Textarea(attrs={"rows": 3}),
            "partner_details": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("planned_start", "planned_end"):
            self.fields[name].validators.append(plausible_date)
        # The case's open referrals, and the one the leg has even if it closed since.
        current = Q(pk=self.instance.referral_id) if self.instance.referral_id else Q(pk__in=[])
        referrals = (
            Referral.objects.filter(Q(status__in=OPEN) | current, case_id=plan.case_id)
            .select_related("partner")
            .only("reference", "service", "partner__name")
        )
        field = self.fields["referral"]
        field.queryset = referrals
        field.label_from_instance = lambda r: f"{r.partner.name} · {r.get_service_display()}"

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned end is before the planned start."))
        if data.get("partner_details") and not data.get("referral"):
            self.add_error(
                "partner_details", _("Details for the partner need a partner: choose its referral.")
            )
        return data


class FailForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    next_step = forms.ChoiceField(
        label=_("What happens next?"), choices=NextStep.choices, widget=forms.RadioSelect
    )
    outcome = forms.CharField(
        label=_("What happened"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CompleteForm(NoAutofillMixin, forms.Form):
    relocate = forms.BooleanField(
        label=_("Move the case to “Relocated”"), required=False, initial=True
    )
    not_relocated = forms.ChoiceField(
        label=_("If not, why not?"),
        choices=[("", _("Not chosen")), *NotRelocated.choices],
        required=False,
    )


class CancelForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    note = forms.CharField(
        label=_("Why is it called off?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DocumentsForm(NoAutofillMixin, forms.Form):
    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        current = {d.kind: d.status for d in documents}
        for kind in DocumentKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=DocumentStatus.choices,
                initial=current.get(kind.value, DocumentStatus.NEEDED),
            )


class RouteSaveForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    name = forms.CharField(
        label=_("route name"),
        max_length=80,
        help_text=_("Name the way, never the person: for example “Chechnya – Tbilisi by bus”."),
    )
