"""Retention purges: what goes, what stays, and that a killed run completes."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import verify_chain
from crypto.fields import DecryptionError
from intake import services as intake_services
from intake.models import Case, FlaggedHandle
from referrals.services import referral_move
from reminders.models import Notification
from retention import services
from retention.models import RetentionPolicy, RetiredCaseCount
from retention.tasks import purge_expired
from tests.factories import CaseFactory, NoteFactory, PartnerFactory, ReferralFactory
from tests.intake.test_no_plaintext import raw_database_text, table_text

DAY = timedelta(days=1)


def closed(days_ago, **kwargs):
    case = CaseFactory(status="closed", closure_reason=kwargs.pop("reason", "stable"), **kwargs)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - days_ago * DAY)
    return case


def stale(days_ago, status="new", **kwargs):
    case = CaseFactory(status=status, **kwargs)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - days_ago * DAY)
    return case


def exists(case):
    return Case.objects.filter(pk=case.pk).exists()


def test_it_purges_what_the_policy_says_and_nothing_else(db):
    old_closed, young_closed = closed(91), closed(89)
    old_new, old_verifying, young_new = stale(31), stale(31, "verifying"), stale(29)
    old_active = stale(400, "active")
    held = closed(400, legal_hold=True)
    purged = services.purge_expired()
    assert purged == {"closed": 1, "stale_unverified": 2}
    assert [exists(c) for c in (old_closed, old_new, old_verifying)] == [False] * 3
    assert all(exists(c) for c in (young_closed, young_new, old_active, held))


def test_the_policy_is_editable(db):
    case = closed(10)
    RetentionPolicy.objects.update_or_create(pk=1, defaults={"closed_after_days": 7})
    services.purge_expired()
    assert not exists(case)


def test_a_note_counts_as_activity(db, caseworker):
    case = stale(40)
    intake_services.note_add(case=case, body="Still talking to them.", by=caseworker)
    services.purge_expired()
    assert exists(case)


MARKERS = ["PURGE-ALIAS", "PURGE-NOTE", "PURGE-SUMMARY", "@purge_handle"]


def related_rows(case_pk, note_pks, referral_pks):
    """Rows in any table that point at the case, its notes or its referrals."""
    targets = {
        "intake.case": [case_pk],
        "intake.note": note_pks,
        "referrals.referral": referral_pks,
    }
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey):
                pks = targets.get(field.related_model._meta.label_lower)
                if pks and model.objects.filter(**{f"{field.name}__in": pks}).exists():
                    found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.mark.django_db(transaction=True)
def test_nothing_of_a_purged_case_remains_in_any_table(caseworker):
    case = closed(100, alias="PURGE-ALIAS", contact_handle="@purge_handle", reason="provocation")
    FlaggedHandle.objects.create(handle_index=case.handle_index)
    note = NoteFactory(case=case, body="PURGE-NOTE")
    referral = ReferralFactory(case=case, summary="PURGE-SUMMARY")
    intake_services.case_mark_compromised(case=case, by=caseworker)
    intake_services.checkin_set(case=case, due_at=timezone.now() - DAY, by=caseworker)
    Notification.objects.create(user=caseworker, kind="follow_up", key="k", case=case)
    assert related_rows(case.pk, [note.pk], [referral.pk])  # the check sees them first
    services.purge_expired()
    assert related_rows(case.pk, [note.pk], [referral.pk]) == []
    assert not Notification.objects.exists()
    raw = raw_database_text()
    for marker in MARKERS:
        assert marker not in raw
    # Its opaque references stay only in the audit trail, which a purge never rewrites.
    rest = table_text(exclude=("audit_auditevent",))
    assert case.reference not in rest and referral.reference not in rest
    assert AuditEvent.objects.filter(action="purge", object_ref=case.reference).exists()
    # Only the blind index of a provocateur's handle survives.
    assert FlaggedHandle.objects.filter(handle_index=case.handle_index).exists()


def test_the_counts_keep_what_statistics_need(db):
    for _ in range(2):
        closed(100, region="dagestan", threats=["outing"], needs=["shelter", "legal"])
    stale(40, region="chechnya", threats=["extortion"], needs=["money"])
    services.purge_expired()
    counts = {(c.region, c.dimension, c.value): c.count for c in RetiredCaseCount.objects.all()}
    assert counts[("dagestan", "case", "")] == 2
    assert counts[("dagestan", "need", "shelter")] == 2
    assert counts[("dagestan", "outcome", "stable")] == 2
    assert counts[("chechnya", "outcome", "stale_unverified")] == 1
    assert counts[("chechnya", "threat", "extortion")] == 1
    quarter = RetiredCaseCount.objects.values_list("quarter", flat=True).first()
    now = timezone.localtime()
    assert quarter == f"{now.year}Q{(now.month - 1) // 3 + 1}"


def test_a_killed_purge_completes_on_the_next_run_and_counts_once(db, monkeypatch, settings):
    settings.CORRIDOR_RETENTION = {**settings.CORRIDOR_RETENTION, "BATCH_SIZE": 2}
    cases = [closed(100) for _ in range(5)]
    real = services._add_counts
    calls = {"n": 0}

    def dies_in_the_second_batch(counts):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("worker killed")
        real(counts)

    monkeypatch.setattr(services, "_add_counts", dies_in_the_second_batch)
    with pytest.raises(SystemExit):
        services.purge_expired()
    assert sum(exists(c) for c in cases) == 3  # one batch gone, the second rolled back whole
    monkeypatch.setattr(services, "_add_counts", real)
    assert services.purge_expired() == {"closed": 3}
    assert not any(exists(c) for c in cases)
    assert RetiredCaseCount.objects.get(dimension="case").count == 5
    purges = AuditEvent.objects.filter(action="purge")
    assert sorted(purges.values_list("object_ref", flat=True)) == sorted(c.reference for c in cases)
    assert verify_chain().ok


def test_a_limit_stops_the_purge_midway(db):
    cases = [closed(100) for _ in range(3)]
    assert services.purge_expired(limit=2) == {"closed": 2}
    assert sum(exists(c) for c in cases) == 1


def test_a_case_put_on_hold_after_it_was_found_is_kept(db, monkeypatch):
    case = closed(100)
    real = services._purge

    def hold_first(cases, **kwargs):
        Case.objects.filter(pk=case.pk).update(legal_hold=True)
        return real(cases, **kwargs)

    monkeypatch.setattr(services, "_purge", hold_first)
    assert services.purge_expired() == {}
    assert exists(case)


def test_purging_an_accepted_referral_frees_the_place(db, partner):
    org = PartnerFactory(capacity=1)
    case = CaseFactory()
    referral = ReferralFactory(case=case, partner=org)
    for step in ("sent", "acknowledged", "accepted"):
        referral_move(referral=referral, to=step, by=None)
    Case.objects.filter(pk=case.pk).update(
        status="closed", closure_reason="stable", closed_at=timezone.now() - 100 * DAY
    )
    services.purge_expired()
    org.refresh_from_db()
    assert org.capacity == 1


def test_a_case_nobody_can_decrypt_is_still_purged(db):
    # A key lost long ago must not keep an expired case alive: the purge
    # reads plain columns only, the deletion included.
    org = PartnerFactory(capacity=1)
    case = CaseFactory()
    referral = ReferralFactory(case=case, partner=org)
    for step in ("sent", "acknowledged", "accepted"):  # takes the partner's one place
        referral_move(referral=referral, to=step, by=None)
    Case.objects.filter(pk=case.pk).update(
        status="closed", closure_reason="stable", closed_at=timezone.now() - 100 * DAY
    )
    NoteFactory(case=case)
    unreadable = "gAAAAABkZm9yZ2VkLXRva2VuLXRoYXQtbm8ta2V5LW9wZW5z"
    with connection.cursor() as cursor:  # below the fields, which would encrypt it
        cursor.execute("UPDATE intake_case SET alias = %s, narrative = %s", [unreadable] * 2)
        cursor.execute("UPDATE referrals_referral SET summary = %s", [unreadable])
        cursor.execute("UPDATE intake_note SET body = %s", [unreadable])
    with pytest.raises(DecryptionError):
        Case.objects.get(pk=case.pk)
    assert services.purge_expired() == {"closed": 1}
    assert not exists(case)
    org.refresh_from_db()
    assert org.capacity == 1


def test_the_dry_run_lists_references_and_reasons_and_deletes_nothing(db, capsys):
    old, young = closed(100, alias="DRY-ALIAS"), stale(40)
    call_command("purge_expired", "--dry-run")
    out = capsys.readouterr().out
    assert f"{old.reference}  closed" in out
    assert f"{young.reference}  stale_unverified" in out
    assert "2 cases would be purged." in out
    assert "DRY-ALIAS" not in out
    assert exists(old) and exists(young)
    call_command("purge_expired")
    assert "Purged 2 cases." in capsys.readouterr().out
    assert not exists(old)


def test_the_task_purges_and_is_safe_to_run_twice(db):
    closed(100)
    assert purge_expired() == {"closed": 1}
    assert purge_expired() == {}


def test_the_counts_keep_risk_referrals_and_days_to_safety(db):
    from intake.models import StatusChange
    from retention.models import RetiredMilestoneCount, RetiredReferralCount

    case = closed(100, region="ingushetia", risk=4)
    Case.objects.filter(pk=case.pk).update(created_at=case.created_at - 20 * DAY)
    case.refresh_from_db()
    for status, days in (("sheltered", 3), ("in_transit", 5), ("sheltered", 7), ("relocated", 12)):
        StatusChange.objects.create(
            case=case, from_status="active", to_status=status, at=case.created_at + days * DAY
        )
    shelter, legal = PartnerFactory(kind="shelter"), PartnerFactory(kind="legal")
    now = timezone.now()
    ReferralFactory(case=case, partner=shelter, status="completed", sent_at=now, accepted_at=now)
    ReferralFactory(case=case, partner=legal, service="legal", status="declined", sent_at=now)
    ReferralFactory(case=case, partner=legal, service="legal", status="draft")  # never sent
    services.purge_expired()
    assert RetiredCaseCount.objects.get(dimension="risk").value == "4"
    referrals = {
        (r.service, r.partner_kind): (r.sent, r.answered, r.accepted)
        for r in RetiredReferralCount.objects.all()
    }
    assert referrals == {("shelter", "shelter"): (1, 1, 1), ("legal", "legal"): (1, 1, 0)}
    days = {(m.milestone, m.days): m.count for m in RetiredMilestoneCount.objects.all()}
    assert days == {("sheltered", 3): 1, ("relocated", 12): 1}  # the first move into each
    assert {m.quarter for m in RetiredMilestoneCount.objects.all()} == {
        RetiredCaseCount.objects.get(dimension="case").quarter
    }


def shaped(count):
    """Closed, expired cases alike: a referral, a move into shelter and one into relocation."""
    from intake.models import StatusChange

    partner = PartnerFactory()
    for _ in range(count):
        case = closed(100)
        ReferralFactory(case=case, partner=partner, status="declined", sent_at=timezone.now())
        for status in ("sheltered", "relocated"):
            StatusChange.objects.create(case=case, from_status="active", to_status=status)


def test_a_batch_costs_the_same_queries_however_many_cases_it_holds(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shaped(1)
    services.purge_expired()  # the first makes the policy row and the audit chain's head
    shaped(2)
    with CaptureQueriesContext(connection) as small:
        assert services.purge_expired() == {"closed": 2}
    shaped(12)
    with CaptureQueriesContext(connection) as large:
        assert services.purge_expired() == {"closed": 12}
    assert len(large) == len(small)


def test_a_backlog_longer_than_one_run_goes_on_at_once(db, settings, monkeypatch):
    from retention import tasks

    settings.CORRIDOR_RETENTION = {**settings.CORRIDOR_RETENTION, "BATCH_SIZE": 1}
    for _ in range(3):
        closed(100)
    monkeypatch.setattr(tasks, "PURGE_SECONDS", 0)  # every run stops after one batch
    queued = []
    monkeypatch.setattr(tasks.purge_expired, "delay", lambda: queued.append(1))
    assert purge_expired() == {"closed": 1}
    assert queued == [1]
    assert purge_expired() == {"closed": 1}
    assert purge_expired() == {"closed": 1}
    assert queued == [1, 1]  # the last run found nothing left


def test_a_batch_stopped_by_the_time_limit_does_not_start_another_run(db, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from retention import tasks

    closed(100)

    def never_finishes(cases, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "_purge", never_finishes)
    queued = []
    monkeypatch.setattr(tasks.purge_expired, "delay", lambda: queued.append(1))
    with pytest.raises(SoftTimeLimitExceeded):
        purge_expired()
    assert queued == []  # the next hourly run tries again; nothing loops
