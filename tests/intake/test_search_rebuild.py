"""`manage.py rebuild_search_index`: after a blind-index key change, search works again."""

from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import Action, AuditEvent
from crypto import keycheck
from crypto.blind_index import blind_index
from intake.models import Case, FlaggedHandle, SearchToken
from intake.search import parse, search_cases
from retention import services as retention
from tests.intake.search_helpers import indexed_case

pytestmark = pytest.mark.django_db

NEW_KEY = "a-new-blind-index-key-of-at-least-32-characters"
ON_PURPOSE = "--new-blind-index-key"


def found(user, text) -> set[str]:
    return set(search_cases(user, parse(text)).values_list("reference", flat=True))


def rebuild(*args) -> str:
    out = StringIO()
    call_command("rebuild_search_index", *args, stdout=out)
    return out.getvalue()


def state():
    return (
        sorted(SearchToken.objects.values_list("case_id", "token")),
        sorted(Case.objects.values_list("pk", "handle_index", "updated_at")),
        sorted(FlaggedHandle.objects.values_list("handle_index", flat=True)),
    )


@pytest.fixture
def cases(team_a):
    return [
        indexed_case(team_a, alias="Ruslan Magomedov", contact_handle="+7 900 123-45-67"),
        indexed_case(team_a, alias="Хадижат", contact_handle="@khadi_j"),
        indexed_case(team_a, alias="Yulia", contact_handle=""),
    ]


def test_after_a_key_change_the_rebuild_makes_every_kind_of_search_work_again(
    settings, caseworker, cases
):
    ruslan, khadizhat, _ = cases
    settings.BLIND_INDEX_KEY = NEW_KEY
    # Stale: computed under the old key, nothing matches any more.
    assert found(caseworker, "Ruslan") == set()
    assert found(caseworker, "89001234567") == set()
    output = rebuild(ON_PURPOSE)
    assert found(caseworker, "Руслан") == {ruslan.reference}
    assert found(caseworker, "Khadizhat") == {khadizhat.reference}
    assert found(caseworker, "89001234567") == {ruslan.reference}
    assert found(caseworker, "@khadi_j") == {khadizhat.reference}
    assert Case.objects.get(pk=ruslan.pk).handle_index == blind_index("+79001234567")
    assert "3/3 cases" in output and "2 handle indexes changed" in output


def test_it_changes_no_case_s_last_activity(settings, cases):
    before = sorted(Case.objects.values_list("pk", "updated_at"))
    settings.BLIND_INDEX_KEY = NEW_KEY
    rebuild(ON_PURPOSE)
    assert sorted(Case.objects.values_list("pk", "updated_at")) == before


def test_run_again_it_changes_nothing(settings, cases):
    settings.BLIND_INDEX_KEY = NEW_KEY
    rebuild(ON_PURPOSE)
    after_first = state()
    output = rebuild(ON_PURPOSE)
    assert state() == after_first
    assert "0 handle indexes changed" in output


def test_with_the_same_key_it_changes_nothing(cases):
    before = state()
    rebuild()
    assert state() == before


def test_it_goes_in_batches_and_resumes_after_the_last_case_named(settings, caseworker, cases):
    ruslan, khadizhat, yulia = sorted(cases, key=lambda case: case.pk)
    settings.BLIND_INDEX_KEY = NEW_KEY
    output = rebuild(ON_PURPOSE, "--batch", "2")
    assert f"2/3 cases (resume with --after {khadizhat.pk})" in output
    assert f"3/3 cases (resume with --after {yulia.pk})" in output
    # A run stopped after the first batch, resumed: the rest only.
    settings.BLIND_INDEX_KEY = NEW_KEY + "-again"
    resumed = rebuild(ON_PURPOSE, "--after", str(khadizhat.pk))
    assert "1/1 cases" in resumed
    assert found(caseworker, "Yulia") == {yulia.reference}
    assert found(caseworker, "Ruslan") == set()  # before --after: not touched


def test_a_flagged_handle_follows_its_case_and_one_of_a_purged_case_is_reported(
    settings, caseworker, team_a, cases
):
    ruslan, khadizhat, _ = cases
    FlaggedHandle.objects.create(handle_index=khadizhat.handle_index)
    gone = indexed_case(team_a, alias="Gone", contact_handle="@provocateur")
    FlaggedHandle.objects.create(handle_index=gone.handle_index)
    retention.case_purge(case_id=gone.pk, reason=retention.FORGOTTEN)
    settings.BLIND_INDEX_KEY = NEW_KEY
    output = rebuild(ON_PURPOSE)
    assert FlaggedHandle.objects.filter(handle_index=blind_index("@khadi_j")).exists()
    # Only the old index of the purged case's handle was kept: it cannot follow.
    assert not FlaggedHandle.objects.filter(handle_index=blind_index("@provocateur")).exists()
    assert "1 flagged handles match no case" in output
    event = AuditEvent.objects.filter(action=Action.KEY_ROTATION).get()
    assert event.detail == {"rebuilt": "blind_index", "cases": 3, "flags_unmatched": 1}


def test_a_flag_already_under_the_new_key_is_kept_once(settings, cases):
    _, khadizhat, _ = cases
    FlaggedHandle.objects.create(handle_index=khadizhat.handle_index)
    settings.BLIND_INDEX_KEY = NEW_KEY
    FlaggedHandle.objects.create(handle_index=blind_index("@khadi_j"))
    rebuild(ON_PURPOSE)
    assert list(FlaggedHandle.objects.values_list("handle_index", flat=True)) == [
        blind_index("@khadi_j")
    ]


def test_without_the_flag_it_refuses_a_changed_key_and_changes_nothing(settings, cases):
    from django.core.management.base import CommandError

    before = state()
    settings.BLIND_INDEX_KEY = NEW_KEY
    with pytest.raises(CommandError, match="rebuild_search_index --new-blind-index-key"):
        rebuild()
    assert state() == before
    assert not AuditEvent.objects.filter(action=Action.KEY_ROTATION).exists()


def test_with_the_flag_it_records_the_key_so_the_check_passes_and_search_finds_again(
    settings, caseworker, cases
):
    ruslan, _, _ = cases
    settings.BLIND_INDEX_KEY = NEW_KEY
    keycheck.forget()
    assert keycheck.problem().startswith("BLIND_INDEX_KEY is not")
    rebuild(ON_PURPOSE)
    assert keycheck.problem(force=True) is None
    keycheck.verify_at_start()  # every other process starts again
    assert found(caseworker, "Ruslan") == {ruslan.reference}
    assert found(caseworker, "+7 900 123-45-67") == {ruslan.reference}


def test_stopped_midway_the_check_still_fails_and_run_again_with_the_flag_it_finishes(
    settings, monkeypatch, caseworker, cases
):
    from intake.management.commands import rebuild_search_index as command

    real = command.reindex_cases
    calls = []

    def stops_at_the_second_batch(batch):
        calls.append(batch)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(batch)

    settings.BLIND_INDEX_KEY = NEW_KEY
    monkeypatch.setattr(command, "reindex_cases", stops_at_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        rebuild(ON_PURPOSE, "--batch", "2")
    keycheck.forget()
    assert keycheck.problem().startswith("BLIND_INDEX_KEY is not")
    monkeypatch.setattr(command, "reindex_cases", real)
    rebuild(ON_PURPOSE, "--batch", "2")
    assert keycheck.problem(force=True) is None
    assert found(caseworker, "Yulia") == {cases[2].reference}


def test_a_run_with_after_does_not_record_the_key(settings, cases):
    first = min(case.pk for case in cases)
    settings.BLIND_INDEX_KEY = NEW_KEY
    output = rebuild(ON_PURPOSE, "--after", str(first))
    assert "BLIND_INDEX_KEY is not recorded after a run with --after" in output
    keycheck.forget()
    assert keycheck.problem().startswith("BLIND_INDEX_KEY is not")


def test_the_flag_does_not_take_it_past_wrong_encryption_keys(settings, monkeypatch, cases):
    from cryptography.fernet import Fernet, MultiFernet
    from django.core.management.base import CommandError
    from encrypted_model_fields import fields as library

    before = state()
    other = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = [other]
    monkeypatch.setattr(library, "CRYPTER", MultiFernet([Fernet(other)]))
    settings.BLIND_INDEX_KEY = NEW_KEY
    with pytest.raises(CommandError, match="cannot decrypt the stored key check"):
        rebuild(ON_PURPOSE)
    assert state() == before


def test_it_refuses_nonsense_options(cases):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        rebuild("--batch", "0")


def test_manage_py_checks_the_keys_before_it_runs():
    # It reads every alias and handle: it must not be among the commands that
    # run without the start-up key check.
    import manage

    assert "rebuild_search_index" not in manage.NO_DATA


def test_the_migration_indexes_the_cases_recorded_before_search_existed(team_a, team_b):
    import importlib

    from django.apps import apps

    from intake.search import tokens_for
    from tests.factories import CaseFactory

    migration = importlib.import_module("intake.migrations.0011_search_tokens_for_existing_cases")
    old = [
        CaseFactory(team=team_a, alias="Ruslan Magomedov"),
        CaseFactory(team=team_b, alias="Юлия"),
    ]
    assert not SearchToken.objects.exists()  # the factory bypasses case_create
    migration.index_existing_cases(apps, None)
    migration.index_existing_cases(apps, None)  # a second run adds nothing twice
    for case in old:
        stored = set(SearchToken.objects.filter(case=case).values_list("token", flat=True))
        assert stored == set(tokens_for(case.team_id, case.alias)) and stored
    assert SearchToken.objects.count() == 3
