import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from encrypted_model_fields import fields as library

from crypto.fields import DecryptionError
from intake.models import Case, Note
from tests.factories import CaseFactory, NoteFactory


def raw_column(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_it_stores_ciphertext_and_reads_plaintext(db):
    case = CaseFactory(alias="Sparrow-plain")
    stored = raw_column("intake_case", "alias", case.pk)
    assert "Sparrow-plain" not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    assert Case.objects.get(pk=case.pk).alias == "Sparrow-plain"


def test_a_wrong_key_fails_loudly_and_names_no_value(db, use_wrong_key):
    case = CaseFactory(alias="Loud-failure-alias")
    use_wrong_key()
    with pytest.raises(DecryptionError) as excinfo:
        Case.objects.get(pk=case.pk)
    assert "Case.alias" in str(excinfo.value)
    assert "Loud-failure-alias" not in str(excinfo.value)
    assert "gAAAA" not in str(excinfo.value)


def test_a_wrong_key_never_returns_ciphertext_from_values(db, use_wrong_key):
    note = NoteFactory()
    use_wrong_key()
    with pytest.raises(DecryptionError):
        list(Note.objects.filter(pk=note.pk).values_list("body", flat=True))


def test_a_wrong_key_re_saves_nothing(client, caseworker, use_wrong_key):
    case = CaseFactory(team=caseworker.teams.first(), alias="Keep-me")
    before = raw_column("intake_case", "alias", case.pk)
    use_wrong_key()
    client.force_login(caseworker)
    client.raise_request_exception = False
    url = reverse("intake:note_add", args=[case.reference])
    response = client.post(url, {"body": "note"})
    assert response.status_code == 500
    assert b"gAAAA" not in response.content
    assert raw_column("intake_case", "alias", case.pk) == before
    assert not Note.objects.exists()


def test_a_wrong_key_stops_check_keys(db, use_wrong_key):
    CaseFactory()
    use_wrong_key()
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("check_keys")


def test_check_keys_passes_with_the_right_key(db, capsys):
    CaseFactory()
    NoteFactory()
    call_command("check_keys")
    assert "read" in capsys.readouterr().out


def test_an_older_key_still_decrypts_after_a_new_key_is_put_first(db, monkeypatch):
    case = CaseFactory(alias="Rotated")
    new = Fernet(Fernet.generate_key())
    monkeypatch.setattr(library, "CRYPTER", MultiFernet([new, *library.CRYPTER._fernets]))
    assert Case.objects.get(pk=case.pk).alias == "Rotated"


def test_typed_text_that_looks_like_a_token_is_kept_as_typed(db):
    token = library.encrypt_str("hidden").decode()
    case = CaseFactory(alias=token[:80])
    assert Case.objects.get(pk=case.pk).alias == token[:80]


def test_a_missing_key_stops_start_up(monkeypatch, tmp_path):
    from core import env

    monkeypatch.delenv("FIELD_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("FIELD_ENCRYPTION_KEYS_FILE", raising=False)
    monkeypatch.setattr(env, "DEV_SECRETS_DIR", tmp_path)
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is not set"):
        env.env_secret("FIELD_ENCRYPTION_KEYS")


def test_filtering_on_an_encrypted_field_is_refused_loudly(db):
    from django.core.exceptions import FieldError

    CaseFactory(alias="Findable")
    for lookup in ({"alias": "Findable"}, {"alias__icontains": "Find"}, {"alias__lower": "x"}):
        with pytest.raises(FieldError):
            list(Case.objects.filter(**lookup))
    assert Case.objects.filter(alias__isnull=False).count() == 1


def test_dumpdata_refuses_to_write_encrypted_values(db, capsys):
    CaseFactory(alias="Not-in-a-dump")
    with pytest.raises(CommandError, match="is encrypted and is not exported"):
        call_command("dumpdata", "intake.case")
    assert "Not-in-a-dump" not in capsys.readouterr().out


def test_check_keys_all_finds_a_row_in_the_middle(db, monkeypatch):
    cases = CaseFactory.create_batch(9)
    right = library.CRYPTER
    monkeypatch.setattr(library, "CRYPTER", MultiFernet([Fernet(Fernet.generate_key())]))
    Case.objects.filter(pk=cases[4].pk).update(alias="written under a retired key")
    monkeypatch.setattr(library, "CRYPTER", right)
    call_command("check_keys")  # the sample misses the middle row
    with pytest.raises(CommandError, match="Case.alias cannot be decrypted"):
        call_command("check_keys", "--all")


def test_bulk_update_and_expressions_are_refused_before_they_corrupt(db):
    from django.db import transaction
    from django.db.models import F, Value

    case = CaseFactory(alias="Intact")
    case.alias = "Changed"
    attempts = [
        lambda: Case.objects.bulk_update([case], ["alias"]),
        lambda: Case.objects.filter(pk=case.pk).update(alias=F("location")),
        lambda: Case.objects.filter(pk=case.pk).update(alias=Value("x")),
    ]
    for attempt in attempts:
        with pytest.raises(TypeError, match="is encrypted"), transaction.atomic():
            attempt()
    assert Case.objects.get(pk=case.pk).alias == "Intact"
