from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import Action, AuditEvent, ChainHead
from audit.services import record, verify_chain
from crypto.blind_index import blind_index
from intake.models import Case, Note
from intake.status import TRANSITIONS, Status
from referrals.models import Referral
from referrals.services import referrals_expire
from referrals.status import OPEN, ReferralStatus
from referrals.status import TRANSITIONS as REFERRAL_TRANSITIONS
from tests.factories import CaseFactory

CASES = 40


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_bench", cases=CASES, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def output(db):
    return seed()


def raw(model, column: str, pk: int) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_it_builds_cases_with_about_five_notes_and_one_referral_each(output):
    assert Case.objects.count() == CASES
    assert 3 * CASES <= Note.objects.count() <= 7 * CASES
    assert CASES // 2 <= Referral.objects.count() <= 3 * CASES // 2
    assert not Case.objects.exclude(team__name__startswith="Bench team").exists()
    assert Case.objects.filter(status=Status.CLOSED).exists()
    assert Case.objects.open().exclude(status=Status.NEW).exists()
    assert f"cases: {CASES}" in output


def test_rows_pass_model_validation(output):
    for case in Case.objects.all():
        case.full_clean()
        assert case.created_at <= case.updated_at
        assert (case.closed_at is not None) == (case.status == Status.CLOSED)
    for referral in Referral.objects.select_related("partner"):
        referral.full_clean()
        assert referral.service in referral.partner.services


def test_status_changes_walk_the_machine_to_the_case_status(output):
    for case in Case.objects.prefetch_related("status_changes"):
        current = Status.NEW
        for change in case.status_changes.all():
            assert change.from_status == current
            assert change.to_status in TRANSITIONS[current]
            current = change.to_status
        assert current == case.status


def test_referrals_are_as_their_moves_leave_them(output):
    for referral in Referral.objects.prefetch_related("changes"):
        current = ReferralStatus.DRAFT
        for change in referral.changes.all():
            assert change.from_status == current
            assert change.to_status in REFERRAL_TRANSITIONS[current]
            current = change.to_status
        assert current == referral.status
        if referral.sent_at:
            assert referral.consent_given and referral.shared_snapshot and referral.ack_due_at
            assert not referral.needs_approval
        if referral.status in OPEN:
            assert referral.case.status != Status.CLOSED
    assert Referral.objects.filter(status__in=OPEN).exists()
    assert referrals_expire() == 0, "nothing open is past the expiry job's grace period"


def test_encrypted_fields_hold_ciphertext_of_plausible_values(output):
    case = Case.objects.exclude(status=Status.NEW).first()
    for name in ["alias", "contact_handle", "safe_contact", "location", "narrative"]:
        stored, value = raw(Case, name, case.pk), getattr(case, name)
        assert stored.startswith("gAAAAA"), "a Fernet token, even for an empty value"
        assert not value or value not in stored
    assert case.alias and case.contact_handle and case.location
    assert len(case.narrative) >= 200
    assert case.handle_index == blind_index(case.contact_handle)
    note = case.notes.first()
    assert note.body and note.body not in raw(Note, "body", note.pk)
    assert case.alias not in output


def test_the_audit_chain_holds_two_events_a_case(output):
    report = verify_chain()
    events = AuditEvent.objects.count()
    assert report.ok
    assert report.checked == events == ChainHead.objects.get(pk=1).length
    assert CASES <= events <= 3 * CASES
    references = set(Case.objects.values_list("reference", flat=True))
    assert set(AuditEvent.objects.values_list("object_ref", flat=True)) == references


def test_it_continues_an_existing_chain(db):
    record(Action.SIGN_IN)
    seed()
    assert verify_chain().ok
    assert ChainHead.objects.get(pk=1).length == AuditEvent.objects.count()


def test_it_refuses_a_database_with_other_cases(db):
    CaseFactory()
    with pytest.raises(CommandError, match="not bench data"):
        seed()
    assert Case.objects.count() == 1


def test_it_refuses_to_seed_twice_unless_forced(output):
    with pytest.raises(CommandError, match="already holds bench data"):
        seed()
    assert Case.objects.count() == CASES


def test_the_same_seed_makes_the_same_data(output):
    seed(force=True)
    first, second = (
        [(c.alias, c.narrative, c.status, c.risk) for c in Case.objects.order_by("pk")[s]]
        for s in (slice(0, CASES), slice(CASES, 2 * CASES))
    )
    assert first == second
    assert verify_chain().ok
