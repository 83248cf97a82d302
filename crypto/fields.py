"""Encrypted model fields that fail loudly.

django-encrypted-model-fields returns the stored ciphertext unchanged when it
cannot decrypt it (wrong key, missing key, damaged value). Code would then
show a token as if it were the alias, or save it back and encrypt it twice.
These subclasses raise instead, and never try to decrypt what a user typed.

They also refuse what cannot work on ciphertext and would fail quietly:
filtering (`alias="x"` matches nothing and sends the plaintext to the SQL
log), transforms (`alias__lower`), and serialisation (`dumpdata` would write
every value in the clear). Expressions that read the column directly, such
as Concat("alias"), still see the token: don't build them.
"""

from cryptography.fernet import InvalidToken
from encrypted_model_fields import fields as library

from crypto import keycheck


class DecryptionError(RuntimeError):
    """A stored value cannot be decrypted with the configured keys."""


class EncryptedFieldExport(RuntimeError):
    """Encrypted values are not serialised: back up the database itself."""


class GuardedEncryptionMixin:
    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            plaintext = library.decrypt_str(value)
        except InvalidToken:
            keycheck.check_soon()
            # Name the field, never the value: the message reaches logs.
            raise DecryptionError(
                f"{self.model.__name__}.{self.name} cannot be decrypted with the "
                "configured FIELD_ENCRYPTION_KEYS. The key is wrong or missing; "
                "stop and restore the right key. Nothing was shown or re-saved."
            ) from None
        return super(library.EncryptedMixin, self).to_python(plaintext)

    def to_python(self, value):
        # Values reaching to_python come from forms and code, in the clear.
        # The library would try to decrypt them too: skip that.
        return super(library.EncryptedMixin, self).to_python(value)

    def get_db_prep_save(self, value, connection):
        # Under keys that cannot read the key check, a saved value would be
        # unreadable once the right keys are back.
        keycheck.refuse_write(self.model.__name__)
        # The library encrypts str(value): an expression (bulk_update's CASE,
        # an F()) would be stored as its own description, the data lost.
        if hasattr(value, "resolve_expression"):
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: save plain values, "
                "one instance at a time (no bulk_update, no F() or other expressions)."
            )
        return super().get_db_prep_save(value, connection)

    def get_lookup(self, lookup_name):
        # Only "is it empty" can be answered without decrypting every row.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None

    def value_to_string(self, obj):
        raise EncryptedFieldExport(
            f"{self.model.__name__}.{self.name} is encrypted and is not exported. "
            "Back up the database with pg_dump or sqlite3 .backup; the keys stay apart."
        )


class EncryptedCharField(GuardedEncryptionMixin, library.EncryptedCharField):
    pass


class EncryptedTextField(GuardedEncryptionMixin, library.EncryptedTextField):
    pass
