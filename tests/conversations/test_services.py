"""The conversation services: what they store, what they refuse, what the trail says."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Action, AuditEvent
from conversations import services
from conversations.models import MESSAGE_MAX, Message, ReplyTemplate
from tests.conversations.conftest import person_writes, template


def test_a_reply_is_the_teams_by_its_author_and_unread(portal_case, caseworker):
    message = services.team_replies(case=portal_case, body="We are here.", by=caseworker)
    fresh = Message.objects.get(pk=message.pk)
    assert (fresh.direction, fresh.by, fresh.read_at, fresh.under_duress) == (
        "team",
        caseworker,
        None,
        False,
    )
    event = AuditEvent.objects.get(action=Action.CREATE)
    assert event.detail == {"message": message.pk}
    assert event.object_ref == portal_case.reference


@pytest.mark.parametrize("body", ["", "   \n ", "x" * (MESSAGE_MAX + 1), "a\x00b", "\x1b[31m"])
def test_the_services_refuse_what_no_form_should_pass(portal_case, caseworker, body):
    with pytest.raises(ValidationError):
        services.team_replies(case=portal_case, body=body, by=caseworker)
    with pytest.raises(ValidationError):
        services.person_writes(case=portal_case, body=body)
    assert not Message.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_longest_message_is_taken(portal_case, caseworker):
    services.team_replies(case=portal_case, body="x" * MESSAGE_MAX, by=caseworker)
    assert len(Message.objects.get().body) == MESSAGE_MAX


def test_an_operator_may_not_reply(portal_case, operator):
    with pytest.raises(PermissionDenied):
        services.team_replies(case=portal_case, body="hi", by=operator)
    assert not Message.objects.exists()


def test_reading_marks_only_the_persons_unread_messages(portal_case, caseworker, coordinator):
    reply = services.team_replies(case=portal_case, body="reply", by=caseworker)
    person_writes(portal_case, "one")
    person_writes(portal_case, "two")
    assert services.team_reads(case=portal_case, by=coordinator) == 2
    assert not Message.objects.unread_by_team().exists()
    # The team's reply is the person's to read, not the team's.
    assert Message.objects.get(pk=reply.pk).read_at is None
    event = AuditEvent.objects.get(action=Action.VIEW)
    assert (event.actor, event.detail) == (coordinator, {"messages_read": 2})
    # Read again: nothing new, no event.
    assert services.team_reads(case=portal_case, by=caseworker) == 0
    assert AuditEvent.objects.filter(action=Action.VIEW).count() == 1


def test_reading_one_case_leaves_another_unread(portal_case, team_a, caseworker):
    from tests.factories import CaseFactory

    other = CaseFactory(team=team_a, contact_channel="portal")
    person_writes(other, "elsewhere")
    person_writes(portal_case, "here")
    services.team_reads(case=portal_case, by=caseworker)
    assert list(Message.objects.unread_by_team().values_list("case", flat=True)) == [other.pk]


def test_a_coordinator_keeps_their_teams_templates(team_a, coordinator):
    saved = services.reply_template_create(
        team=team_a, language="ru", title="Безопасность", body="Удалите чат.", by=coordinator
    )
    services.reply_template_update(
        template=saved,
        language="ru",
        title="Безопасность",
        body="Удалите переписку.",
        by=coordinator,
    )
    assert ReplyTemplate.objects.get().body == "Удалите переписку."
    update = AuditEvent.objects.get(action=Action.UPDATE)
    assert update.detail == {"team": team_a.pk, "fields": ["body"]}
    services.reply_template_delete(template=saved, by=coordinator)
    assert not ReplyTemplate.objects.exists()
    trail = " ".join(str(e.detail) for e in AuditEvent.objects.all())
    assert "Удалите" not in trail and "Безопасность" not in trail


def test_only_a_coordinator_of_the_team_keeps_its_templates(team_a, caseworker, outsider):
    for user in (caseworker, outsider):
        with pytest.raises(PermissionDenied):
            services.reply_template_create(team=team_a, language="en", title="t", body="b", by=user)
    saved = template(team_a)
    with pytest.raises(PermissionDenied):
        services.reply_template_update(
            template=saved, language="en", title="t", body="b", by=outsider
        )
    with pytest.raises(PermissionDenied):
        services.reply_template_delete(template=saved, by=outsider)
    assert ReplyTemplate.objects.get().title == "Safe phone"


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        ("de", "t", "b"),
        ("en", "", "b"),
        ("en", "t" * 101, "b"),
        ("en", "t", "b" * (MESSAGE_MAX + 1)),
    ],
)
def test_a_template_is_checked_in_the_service(team_a, coordinator, language, title, body):
    with pytest.raises(ValidationError):
        services.reply_template_create(
            team=team_a, language=language, title=title, body=body, by=coordinator
        )
    assert not ReplyTemplate.objects.exists()
