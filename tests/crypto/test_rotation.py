import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.management import CommandError, call_command
from encrypted_model_fields import fields as library

from crypto.rotation import values_needing_old_keys
from intake.models import Case, Note
from referrals.models import Partner, Referral
from tests.factories import CaseFactory, NoteFactory, ReferralFactory


def test_rotation_end_to_end(db, settings, monkeypatch, capsys):
    old = list(settings.FIELD_ENCRYPTION_KEY)
    case = CaseFactory(alias="Rotate-me", narrative="Story-to-rotate")
    NoteFactory(case=case, body="Note-to-rotate")
    ReferralFactory(case=case, summary="Summary-to-rotate")
    updated = Case.objects.get(pk=case.pk).updated_at

    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = [new, *old]
    monkeypatch.setattr(library, "CRYPTER", MultiFernet([Fernet(k) for k in [new, *old]]))
    assert values_needing_old_keys() > 0

    call_command("rotate_encryption_keys")
    out = capsys.readouterr().out
    rows = Case.objects.count() + Note.objects.count() + Referral.objects.count()
    rows += Partner.objects.count()
    assert f"{rows}/{rows} rows" in out
    assert "Nothing needs an older key now" in out
    assert values_needing_old_keys() == 0

    # Retire the old key: everything still reads, and nothing else changed.
    settings.FIELD_ENCRYPTION_KEY = [new]
    monkeypatch.setattr(library, "CRYPTER", MultiFernet([Fernet(new)]))
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.alias, fresh.narrative) == ("Rotate-me", "Story-to-rotate")
    assert fresh.updated_at == updated  # rotation is not activity
    assert Note.objects.get().body == "Note-to-rotate"
    assert Referral.objects.get().summary == "Summary-to-rotate"
    call_command("check_keys", "--all")


def test_rotation_without_the_old_key_fails_loudly_and_changes_nothing(db, settings, monkeypatch):
    case = CaseFactory(alias="Keep")
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = [new]  # the old key was dropped too early
    monkeypatch.setattr(library, "CRYPTER", MultiFernet([Fernet(new)]))
    with pytest.raises(CommandError, match="cannot decrypt the stored key check"):
        call_command("rotate_encryption_keys")
    assert values_needing_old_keys() >= 1
    assert case.pk in Case.objects.values_list("pk", flat=True)
