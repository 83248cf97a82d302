import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import NoAutofillMixin
from intake.choices import Need, Region, Risk
from intake.status import Status

# Every order ends on a unique column so that pages never overlap.
SORTS = {
    "risk": ["-risk", "created_at", "pk"],
    "oldest": ["created_at", "pk"],
    "newest": ["-created_at", "-pk"],
}


class CaseFilterForm(NoAutofillMixin, forms.Form):
    pass


class CaseFilter(django_filters.FilterSet):
    # Each empty choice names what it leaves out, in words that agree with
    # its label in Russian; "---------" would say nothing.
    status = django_filters.ChoiceFilter(
        choices=Status.choices, label=_("status"), empty_label=_("any status")
    )
    risk = django_filters.ChoiceFilter(
        choices=Risk.choices, label=_("risk"), empty_label=_("any risk")
    )
    region = django_filters.ChoiceFilter(
        choices=Region.choices, label=_("region"), empty_label=_("any region")
    )
    assignee = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), label=_("assignee"), empty_label=_("anyone or nobody")
    )
    need = django_filters.ChoiceFilter(
        choices=Need.choices, method="filter_need", label=_("need"), empty_label=_("any need")
    )
    overdue = django_filters.ChoiceFilter(
        choices=[("yes", _("overdue only"))],
        method="filter_overdue",
        label=_("follow-up"),
        empty_label=_("any"),
    )
    sort = django_filters.ChoiceFilter(
        choices=[
            ("risk", _("highest risk first")),
            ("oldest", _("oldest first")),
            ("newest", _("newest first")),
        ],
        method="sort_by",
        label=_("sort by"),
        empty_label=None,
    )

    class Meta:
        form = CaseFilterForm

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assignee"].queryset = assignees

    def filter_need(self, queryset, name, value):
        return queryset.with_need(value) if value else queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["risk"]))

    def filter_overdue(self, queryset, name, value):
        return queryset.follow_up_overdue() if value else queryset
