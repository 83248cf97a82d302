from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from conversations.models import MESSAGE_MAX, TEMPLATE_TITLE_MAX, ReplyTemplate
from core.forms import CleanTextMixin, NamedEmptyChoiceMixin, NoAutofillMixin


def template_label(template: ReplyTemplate) -> str:
    return f"{template.get_language_display()} · {template.title}"


class ReplyForm(NoAutofillMixin, CleanTextMixin, forms.Form):
    """The team's reply on the case page, with the team's templates to insert.

    "Insert" submits what was typed and the chosen template; the page comes
    back with the template's text after it (static/app/replies.js does this
    in place when scripts run).
    """

    body = forms.CharField(
        label=_("reply to the person"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    template = forms.ChoiceField(label=_("template"), required=False)

    def __init__(self, *args, templates: list[ReplyTemplate], **kwargs):
        kwargs.setdefault("auto_id", "id_reply_%s")  # the note form's box is id_body
        super().__init__(*args, **kwargs)
        # Chosen among the case's team's templates, already read: a posted id
        # that is none of them (another team's, "1 OR 1=1") is refused
        # without a query.
        self.templates = {str(t.pk): t for t in templates}
        self.fields["template"].choices = [
            ("", _("Choose a template")),
            *((pk, template_label(t)) for pk, t in self.templates.items()),
        ]

    def chosen_template(self) -> ReplyTemplate | None:
        return self.templates.get(self.data.get("template", ""))

    def with_template(self, template: ReplyTemplate) -> "ReplyForm":
        """The reply box again: what was typed, then the template's text, to edit."""
        typed = self.data.get("body", "").rstrip()
        body = f"{typed}\n\n{template.body}" if typed else template.body
        return ReplyForm({"body": body, "template": ""}, templates=list(self.templates.values()))

    def refuse_insert(self) -> None:
        """No template chosen (or none of this team's): say so, keep what was typed."""
        self.is_valid()
        if not self.data.get("body", "").strip():
            self.errors.pop("body", None)  # nothing typed is not wrong before "Insert"
        self.add_error("template", _("Choose one of the team's templates to insert."))


class ReplyTemplateForm(NoAutofillMixin, NamedEmptyChoiceMixin, CleanTextMixin, forms.Form):
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none())
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)
    title = forms.CharField(label=_("title"), max_length=TEMPLATE_TITLE_MAX)
    body = forms.CharField(
        label=_("text"), max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, teams: list[Team] | None, **kwargs):
        """`teams`: those a new template may be for; None when editing (it stays in its team)."""
        super().__init__(*args, **kwargs)
        if teams is None:
            del self.fields["team"]
            return
        self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk
            self.fields["team"].widget = forms.HiddenInput()
