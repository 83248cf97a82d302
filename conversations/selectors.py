"""Which conversations and reply templates a user may reach.

Cases come through intake's one visibility rule (get_case_for): this only
says whether a visible case has a portal at all, and which templates belong.
"""

from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from conversations.models import ReplyTemplate
from intake.choices import Channel
from intake.models import Case, CaseEvent
from intake.selectors import team_ids


def has_portal(case: Case) -> bool:
    """Whether the person can read a reply: the request came through the portal, the
    case has a codename (portal/, known here only by its related name) or messages, or
    a case merged into it has a codename (the portal follows the merge)."""
    if case.contact_channel == Channel.PORTAL or case.codenames.exists():
        return True
    if case.messages.exists():
        return True
    merged = case.merged_references.values("reference")
    return Case.objects.filter(reference__in=merged, codenames__isnull=False).exists()


# How long after a duress sign-in the reply card still warns of it.
DURESS_WARNING = timedelta(days=30)


def last_duress(case: Case):
    """When the duress codename was last used on the portal, if lately."""
    recent = case.events.filter(kind=CaseEvent.Kind.DURESS, at__gte=timezone.now() - DURESS_WARNING)
    return recent.order_by("-at").values_list("at", flat=True).first()


def templates_for_case(case: Case) -> list[ReplyTemplate]:
    """The case's team's templates, to insert into a reply: never another team's."""
    return list(ReplyTemplate.objects.filter(team_id=case.team_id).order_by("language", "pk"))


def templates_managed_by(user: User) -> QuerySet[ReplyTemplate]:
    """The templates of the teams a coordinator coordinates; none for anyone else."""
    if not user.is_authenticated or not user.coordinates:
        return ReplyTemplate.objects.none()
    return ReplyTemplate.objects.filter(team__in=team_ids(user)).select_related("team")


def require_template_manager(user: User) -> None:
    """404 for anyone who does not manage templates: the page is not theirs to know of."""
    if not user.is_authenticated or not user.coordinates:
        raise Http404


def get_template_for(user: User, template_id: int | None) -> ReplyTemplate:
    """A template of one of the coordinator's teams, else 404 (another team's included)."""
    require_template_manager(user)
    if template_id is None:
        raise Http404
    template = templates_managed_by(user).filter(pk=template_id).first()
    if template is None:
        raise Http404
    return template
