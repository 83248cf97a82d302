"""Encrypted model fields that fail loudly.

django-encrypted-model-fields returns the stored ciphertext unchanged when it
cannot decrypt it (wrong key, missing key, damaged value). Code would then
show a token as if it were the alias, or save it back and encrypt it twice.
These subclasses raise instead, and never try to decrypt what a user typed.
"""

from cryptography.fernet import InvalidToken
from encrypted_model_fields import fields as library


class DecryptionError(RuntimeError):
    """A stored value cannot be decrypted with the configured keys."""


class GuardedEncryptionMixin:
    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            plaintext = library.decrypt_str(value)
        except InvalidToken:
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


class EncryptedCharField(GuardedEncryptionMixin, library.EncryptedCharField):
    pass


class EncryptedTextField(GuardedEncryptionMixin, library.EncryptedTextField):
    pass
