from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from core.forms import CleanTextMixin, NamedEmptyChoiceMixin, NoAutofillMixin
from core.widgets import DateInput, DateTimeInput
from intake.choices import Channel, Need, Risk, Verification
from intake.models import INTAKE_FIELDS, Case, Note
from intake.search import MAX_QUERY_LENGTH, parse
from intake.selectors import teams_of
from intake.status import ClosureReason, Status


class CaseForm(NoAutofillMixin, NamedEmptyChoiceMixin, CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Case
        fields = INTAKE_FIELDS
        widgets = {
            "safe_contact": forms.Textarea(attrs={"rows": 2}),
            "narrative": forms.Textarea(attrs={"rows": 6}),
            "contact_handle": forms.TextInput(attrs={"spellcheck": "false"}),
            "risk": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A radio list needs no "---------" option: no choice is the error.
        self.fields["risk"].choices = Risk.choices


class TeamField(forms.ChoiceField):
    """One of the user's own teams, checked against those read for this request.

    A ModelChoiceField would ask the database for the chosen team again.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.teams: dict[str, Team] = {}

    def offer(self, teams: list[Team]) -> None:
        self.teams = {str(team.pk): team for team in teams}
        self.choices = [
            ("", _("Choose a team")),
            *((pk, team.name) for pk, team in self.teams.items()),
        ]

    def clean(self, value) -> Team | None:
        value = super().clean(value)
        return self.teams[value] if value else None


class IntakeForm(CaseForm):
    """A new help request. Warns about a known or flagged handle before saving."""

    # Chosen among the user's own teams and handed to the service; not a model
    # field of this form, so it is not looked up a second time by model checks.
    team = TeamField(label=_("team"))
    field_order = ["team"]
    record_anyway = forms.BooleanField(
        required=False, label=_("I have read the warning above; record this request anyway.")
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        teams = teams_of(user)
        self.fields["team"].offer(teams)
        # Only the person can write through the portal (portal/).
        channel = self.fields["contact_channel"]
        channel.choices = [c for c in channel.choices if c[0] != Channel.PORTAL]
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk
            self.fields["team"].widget = forms.HiddenInput()


class NoteForm(NoAutofillMixin, CleanTextMixin, forms.ModelForm):
    class Meta:
        model = Note
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class StatusForm(NoAutofillMixin, forms.Form):
    to = forms.ChoiceField(label=_("move to"), choices=Status.choices)
    closure_reason = forms.ChoiceField(
        label=_("closure reason"),
        choices=[("", _("Not chosen")), *ClosureReason.choices],
        required=False,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the allowed moves, but accept any status, so that a move
        # from a stale page gets the state machine's own message. Nothing is
        # preselected: a status changed by a stray tap is a wrong record.
        self.fields["to"].widget.choices = [
            ("", _("Choose the new status")),
            *((s.value, s.label) for s in case.allowed_statuses()),
        ]


class FollowUpForm(NoAutofillMixin, forms.Form):
    follow_up_on = forms.DateField(
        label=_("next follow-up"),
        required=False,
        widget=DateInput(),
    )

    def clean_follow_up_on(self):
        day = self.cleaned_data["follow_up_on"]
        today = timezone.localdate()
        if day is not None and not today <= day <= today + timedelta(days=366):
            raise ValidationError(_("Pick a date between today and a year from now."))
        return day


class VerificationForm(NoAutofillMixin, forms.Form):
    verification = forms.ChoiceField(label=_("verification"), choices=Verification.choices)


class AssignForm(NoAutofillMixin, forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: leave unassigned"),
    )

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees


class TransferForm(NoAutofillMixin, forms.Form):
    to_team = forms.ModelChoiceField(
        label=_("move the case to team"),
        queryset=Team.objects.none(),
        empty_label=_("Choose a team"),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # Every other team: a coordinator hands a case to any team of the
        # organisation, and only that team's coordinators can take it in.
        self.fields["to_team"].queryset = Team.objects.exclude(pk=case.team_id).order_by("name")


class RouteForm(NoAutofillMixin, forms.Form):
    # On the case page, sent to referrals:route. Its choices are the case's
    # needs, so it lives here: intake may not import referrals, which reuses it.
    service = forms.ChoiceField(label=_("who can help with"), choices=Need.choices)


class HandleCheckForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    contact_handle = forms.CharField(max_length=200)


class CheckInForm(NoAutofillMixin, forms.Form):
    due_at = forms.DateTimeField(
        label=_("must have heard from them by"),
        widget=DateTimeInput(),
    )

    def clean_due_at(self):
        due = self.cleaned_data["due_at"]
        now = timezone.now()
        if not now < due <= now + timedelta(days=60):
            raise ValidationError(_("Pick a time in the next 60 days."))
        return due


class SearchInput(forms.TextInput):
    input_type = "search"


class SearchForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    """The case list's search box: posted, never in a URL (intake/search_views.py)."""

    q = forms.CharField(
        label=_("Find a case"),
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "required": _("Type an alias, a contact handle, a phone number or a case reference."),
            "max_length": _("A search is at most %(limit_value)d characters: shorten it."),
        },
        # No spell check: Chromium's enhanced spell check sends what is typed
        # to a server. The "/" key focuses it (static/app/app.js).
        widget=SearchInput(
            attrs={
                "spellcheck": "false",
                "autocapitalize": "off",
                "enterkeyhint": "search",
                "aria-keyshortcuts": "/",
                "aria-describedby": "search-hint",
            }
        ),
    )

    def clean_q(self) -> str:
        text = self.cleaned_data["q"]
        self.query = parse(text)
        if self.query.empty:
            # Only marks, emoji or invisible characters: nothing any case could hold.
            message = _(
                "Nothing to search for in that: type the letters or digits "
                "of a name, a handle, a phone number or a reference."
            )
            raise ValidationError(message)
        return text
