"""The conversation on the case page: in the timeline, in order; read when shown;
the reply card for those who may write, on portal cases only."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from conversations import services
from conversations.models import Message
from intake import services as intake_services
from tests.conversations.conftest import person_writes, template
from tests.factories import CaseFactory


def page(client, case):
    response = client.get(reverse("intake:case_detail", args=[case.reference]))
    assert response.status_code == 200
    return response.content.decode()


def timeline(html: str) -> str:
    return re.search(r'<ol class="timeline".*?</ol>', html, re.S).group(0)


def test_messages_sit_in_the_timeline_in_time_order(worker, portal_case, caseworker):
    now = timezone.now()
    first = person_writes(portal_case, "MSG-ONE please help")
    intake_services.note_add(case=portal_case, body="NOTE-TWO called back", by=caseworker)
    reply = services.team_replies(case=portal_case, body="MSG-THREE we hear you", by=caseworker)
    # Times set apart, the note between the two messages.
    Message.objects.filter(pk=first.pk).update(created_at=now - timedelta(hours=2))
    portal_case.notes.update(created_at=now - timedelta(hours=1))
    Message.objects.filter(pk=reply.pk).update(created_at=now)
    text = timeline(page(worker, portal_case))
    # The timeline is newest first.
    assert text.index("MSG-THREE") < text.index("NOTE-TWO") < text.index("MSG-ONE")


def test_it_says_who_wrote_each_and_whether_the_person_read_the_reply(
    worker, portal_case, caseworker
):
    person_writes(portal_case, "From them")
    services.team_replies(case=portal_case, body="Unread reply", by=caseworker)
    text = timeline(page(worker, portal_case))
    assert "From the person" in text
    assert "Reply by caseworker" in text
    assert "not read by the person yet" in text
    services.person_reads(case=portal_case)
    assert "read by the person" in timeline(page(worker, portal_case))
    assert "not read by the person yet" not in timeline(page(worker, portal_case))


def test_a_message_written_under_duress_says_so_prominently(worker, portal_case):
    person_writes(portal_case, "All is fine, do not worry", under_duress=True)
    person_writes(portal_case, "Calm message")
    html = page(worker, portal_case)
    entries = re.findall(r'<li class="entry-message">.*?</li>', timeline(html), re.S)
    duress = [e for e in entries if "All is fine" in e]
    calm = [e for e in entries if "Calm message" in e]
    assert 'class="danger-box" role="alert"' in duress[0] and "Written under duress" in duress[0]
    assert "under duress" not in calm[0]


def test_the_reply_card_warns_when_the_last_message_was_under_duress(worker, portal_case):
    person_writes(portal_case, "Help", under_duress=True)
    assert "Their last message was written under duress." in page(worker, portal_case)
    person_writes(portal_case, "It is me again, safe now")
    assert "Their last message was written under duress." not in page(worker, portal_case)


def test_opening_the_page_marks_the_persons_messages_read_and_the_trail_counts_them(
    worker, portal_case, caseworker
):
    person_writes(portal_case, "one")
    person_writes(portal_case, "two")
    html = page(worker, portal_case)
    assert html.count('<span class="tag">new</span>') == 2  # shown as new this once
    assert not Message.objects.unread_by_team().exists()
    event = AuditEvent.objects.filter(action=Action.VIEW, detail__messages_read=2).get()
    assert event.actor == caseworker and event.object_ref == portal_case.reference
    assert "one" not in str(event.detail) and "two" not in str(event.detail)
    # Opened again: nothing new, nothing more in the trail about messages.
    assert '<span class="tag">new</span>' not in page(worker, portal_case)
    assert AuditEvent.objects.filter(detail__has_key="messages_read").count() == 1


def test_an_operator_sees_the_conversation_but_marks_nothing_read_and_gets_no_reply_box(
    client, operator, portal_case
):
    """Read means read by someone who can answer: the person is told "read by the team"."""
    person_writes(portal_case, "hello")
    client.force_login(operator)
    html = page(client, portal_case)
    assert Message.objects.unread_by_team().count() == 1
    assert 'id="conversation"' in html
    assert "Send reply" not in html


def test_another_teams_staff_never_mark_anything_read(client, outsider, portal_case):
    person_writes(portal_case, "hello")
    client.force_login(outsider)
    response = client.get(reverse("intake:case_detail", args=[portal_case.reference]))
    assert response.status_code == 404
    assert Message.objects.unread_by_team().count() == 1


def test_the_reply_box_is_only_on_cases_with_a_portal(worker, team_a, portal_case):
    plain = CaseFactory(team=team_a)
    assert "Send reply" not in page(worker, plain)
    assert 'id="conversation"' not in page(worker, plain)
    assert "Send reply" in page(worker, portal_case)
    response = worker.post(reverse("conversations:reply", args=[plain.reference]), {"body": "x"})
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_a_case_with_a_codename_has_the_reply_box_whatever_its_channel(worker, team_a):
    from django.apps import apps

    case = CaseFactory(team=team_a)  # telegram
    codename = apps.get_model("portal", "Codename")
    fields = {f.name for f in codename._meta.concrete_fields} - {"id", "case"}
    assert fields, "the codename model has columns to fill"
    assert "Send reply" not in page(worker, case)
    codename_for(case)
    assert "Send reply" in page(worker, case)


def codename_for(case):
    """A codename row as the portal keeps one, made through the related manager only."""
    from django.apps import apps

    model = apps.get_model("portal", "Codename")
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name == "case" or field.has_default() or field.null:
            continue
        values[field.name] = field.get_internal_type() == "BooleanField" or "x" * min(
            field.max_length or 20, 20
        )
    return case.codenames.create(**values)


def test_a_reply_is_sent_and_the_page_redirected(worker, portal_case, caseworker):
    url = reverse("conversations:reply", args=[portal_case.reference])
    response = worker.post(url, {"body": "Stay where you are.", "template": ""})
    assert response.status_code == 302
    assert response["Location"] == f"{portal_case.page_url}#conversation"
    message = Message.objects.get()
    assert (message.direction, message.by, message.body) == (
        "team",
        caseworker,
        "Stay where you are.",
    )
    event = AuditEvent.objects.filter(action=Action.CREATE, detail__message=message.pk).get()
    assert event.actor == caseworker and event.object_ref == portal_case.reference


def test_a_refused_reply_comes_back_with_its_text_and_the_reason(worker, portal_case):
    url = reverse("conversations:reply", args=[portal_case.reference])
    typed = "KEEP-ME " + "x" * 4000
    response = worker.post(url, {"body": typed})
    assert response.status_code == 400
    html = response.content.decode()
    box = re.search(
        r'<textarea name="body"[^>]*id="id_reply_body"[^>]*>(.*?)</textarea>', html, re.S
    )
    assert box is not None and "KEEP-ME" in box.group(1)
    assert "error-summary" in html and 'href="#id_reply_body"' in html
    assert not Message.objects.exists()


def test_insert_appends_the_template_to_what_was_typed_and_stores_nothing(
    worker, portal_case, team_a
):
    saved = template(team_a, body="Use Signal with disappearing messages.")
    url = reverse("conversations:reply", args=[portal_case.reference])
    response = worker.post(url, {"body": "Hello,", "template": saved.pk, "insert": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    box = re.search(
        r'<textarea name="body"[^>]*>(.*?)</textarea>', html.split('id="conversation"')[1], re.S
    )
    assert box.group(1).strip() == "Hello,\n\nUse Signal with disappearing messages."
    assert not Message.objects.exists()
    # Edited and sent as it stands now.
    edited = box.group(1).strip().replace("Signal", "Signal (new number)")
    assert worker.post(url, {"body": edited}).status_code == 302
    assert Message.objects.get().body == edited


def test_insert_without_a_template_keeps_the_text_and_asks_for_one(worker, portal_case):
    url = reverse("conversations:reply", args=[portal_case.reference])
    template(portal_case.team)
    response = worker.post(url, {"body": "Typed so far", "template": "", "insert": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose one of the team&#x27;s templates to insert." in html
    assert "Typed so far</textarea>" in html
    assert not Message.objects.exists()


def test_only_the_cases_team_templates_are_offered_and_inserted(
    worker, portal_case, team_a, team_b
):
    ours = template(team_a, title="OURS-TITLE", body="OURS-BODY")
    theirs = template(team_b, title="THEIRS-TITLE", body="THEIRS-BODY")
    html = page(worker, portal_case)
    assert "OURS-TITLE" in html and f'value="{ours.pk}"' in html
    assert "THEIRS" not in html
    url = reverse("conversations:reply", args=[portal_case.reference])
    response = worker.post(url, {"body": "", "template": theirs.pk, "insert": "1"})
    assert response.status_code == 400
    assert "THEIRS-BODY" not in response.content.decode()


def test_the_reply_card_needs_no_inline_script(worker, portal_case, team_a):
    template(team_a)
    html = page(worker, portal_case)
    card = html.split('id="conversation"')[1].split("</section>")[0]
    assert '<script src="/static/app/replies.js" defer></script>' in card
    assert re.search(r"<script(?![^>]*\bsrc=)", card) is None
    assert re.search(r"\son[a-z]+=", card) is None  # no inline handler either


def test_the_reply_card_warns_after_a_duress_sign_in_that_wrote_nothing(
    client, caseworker, portal_case
):
    from intake.models import CaseEvent

    client.force_login(caseworker)
    assert "duress" not in page(client, portal_case).lower()
    CaseEvent.objects.create(case=portal_case, kind=CaseEvent.Kind.DURESS, detail="sign_in")
    html = page(client, portal_case)
    card = html.split('id="conversation"')[1]
    assert "The duress codename was used on the portal" in card
