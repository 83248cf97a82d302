"""What the encrypted fields say when they refuse, word for word: the text reaches logs
and operators, names the field and never the value."""

import pytest
from django.db.models import F

from crypto.fields import DecryptionError, EncryptedFieldExport
from intake.models import Case
from tests.factories import CaseFactory


def test_serialising_an_encrypted_field_says_how_to_back_up_instead():
    field = Case._meta.get_field("alias")
    with pytest.raises(EncryptedFieldExport) as caught:
        field.value_to_string(Case(alias="not exported"))
    assert str(caught.value) == (
        "Case.alias is encrypted and is not exported. "
        "Back up the database with pg_dump or sqlite3 .backup; the keys stay apart."
    )


def test_an_unreadable_value_says_to_restore_the_key(db, use_wrong_key):
    case = CaseFactory(alias="Never in the message")
    use_wrong_key()
    with pytest.raises(DecryptionError) as caught:
        Case.objects.only("alias").get(pk=case.pk)
    assert str(caught.value) == (
        "Case.alias cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS. "
        "The key is wrong or missing; stop and restore the right key. "
        "Nothing was shown or re-saved."
    )


def test_saving_an_expression_says_to_save_plain_values(db):
    case = CaseFactory()
    case.alias = F("alias")
    with pytest.raises(TypeError) as caught:
        case.save()
    assert str(caught.value) == (
        "Case.alias is encrypted: save plain values, "
        "one instance at a time (no bulk_update, no F() or other expressions)."
    )
