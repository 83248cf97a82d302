"""What of the network a user may see: a case's links, and the open warnings."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from accounts.models import User
from intake.models import Case
from intake.selectors import team_ids, through_visible_case
from network.models import CaseLink, Exposure, LinkKind

# What a link row reads of either case: plain columns only. The alias is
# read (and so decrypted) in a second query, of the cases the user may see.
_LINKED_FIELDS = ["reference", "team", "status"]


@dataclass(frozen=True)
class ShownLink:
    pk: int
    kind: str
    kind_label: str
    created_at: datetime
    # Both empty when the other case is of a team the user is not in:
    # the page says "a case of another team", never which.
    reference: str
    alias: str
    url: str

    @property
    def is_merge(self) -> bool:
        return self.kind == LinkKind.DUPLICATE


def links_shown(case: Case, user: User) -> list[ShownLink]:
    """The case's links, oldest first, each with what this user may see of the other case."""
    visible = set(team_ids(user))
    fields = [f"{side}__{name}" for side in ("first", "second") for name in _LINKED_FIELDS]
    links = (
        CaseLink.objects.filter(Q(first=case) | Q(second=case))
        .select_related("first", "second")
        .only("kind", "created_at", *fields)
        .order_by("created_at", "pk")
    )
    others = [(link, link.second if link.first_id == case.pk else link.first) for link in links]
    seen = {other.pk for _link, other in others if other.team_id in visible}
    # Two queries however many links: an alias of another team's case is never decrypted.
    aliases = dict(Case.objects.filter(pk__in=seen).values_list("pk", "alias")) if seen else {}
    return [
        ShownLink(
            pk=link.pk,
            kind=link.kind,
            kind_label=link.get_kind_display(),
            created_at=link.created_at,
            reference=other.reference if other.pk in seen else "",
            alias=aliases.get(other.pk, ""),
            url=other.page_url if other.pk in seen else "",
        )
        for link, other in others
    ]


def _source_visible(user: User) -> ExpressionWrapper:
    return ExpressionWrapper(Q(source__team__in=team_ids(user)), output_field=BooleanField())


def open_exposures_on(case: Case, user: User) -> list[Exposure]:
    """The case's open warnings, newest first; `source_visible` says whether the user may
    see the case whose phone was taken (never for another team's warning)."""
    if not team_ids(user):
        return []
    return list(
        case.exposures.open()
        .select_related("source")
        .only("cause", "created_at", "case", "source__reference", "source__team")
        .annotate(source_visible=_source_visible(user))
        .order_by("-created_at", "-pk")
    )


def open_exposures_visible_to(user: User) -> QuerySet[Exposure]:
    """Open warnings on the cases the user may see, most recent first.

    For the reminders and the dashboard: each row has the case's reference,
    alias, team and assignee, the cause, when, and the source case's
    reference with `source_visible`, which a row must check before showing
    it (a warning from another team has no source at all).
    """
    if not team_ids(user):
        return Exposure.objects.none()
    return (
        Exposure.objects.open()
        .filter(through_visible_case(user))
        .select_related("case", "source")
        .only(
            "cause",
            "created_at",
            "case__reference",
            "case__alias",
            "case__team",
            "case__assignee",
            "case__risk",
            "source__reference",
            "source__team",
        )
        .annotate(source_visible=_source_visible(user))
        .order_by("-created_at", "-pk")
    )
