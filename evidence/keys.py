"""A data key per file, wrapped under the file keys of the environment.

The data key is a Tink streaming-AEAD keyset (AES256_GCM_HKDF_1MB): Tink
derives a key per stream from it and a random salt, and authenticates every
1 MiB segment, so a file is encrypted and decrypted as it streams, never
whole in memory. The serialised keyset is wrapped with AES-256-GCM under the
first of FILE_ENCRYPTION_KEYS; each wrapped key names its file key by a
fingerprint (`key_id`), and every key configured unwraps. The file keys are
never in the database: a stolen copy of the database and the file store
opens nothing without them.
"""

import base64
import hashlib
import hmac
import os

import tink
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from tink import secret_key_access, streaming_aead

streaming_aead.register()

TEMPLATE = streaming_aead.streaming_aead_key_templates.AES256_GCM_HKDF_1MB
NONCE_BYTES = 12
VERSION = b"\x01"


class FileKeyError(RuntimeError):
    """A file's data key cannot be unwrapped with the configured FILE_ENCRYPTION_KEYS."""


def key_id(key: str) -> str:
    """A name for a file key that says nothing about it: an HMAC keyed by the key."""
    return hmac.new(_raw(key), b"corridor file key id", hashlib.sha256).hexdigest()[:16]


def _raw(key: str) -> bytes:
    return base64.urlsafe_b64decode(key.encode())


def _configured() -> dict[str, bytes]:
    return {key_id(key): _raw(key) for key in settings.FILE_ENCRYPTION_KEYS}


def current_key_id() -> str:
    return key_id(settings.FILE_ENCRYPTION_KEYS[0])


def new_data_key() -> tink.KeysetHandle:
    return tink.new_keyset_handle(TEMPLATE)


def wrap(handle: tink.KeysetHandle, *, bound_to: str) -> tuple[bytes, str]:
    """The keyset wrapped under the first file key, for the file `bound_to` names
    (its reference: a wrapped key moved to another row does not unwrap)."""
    serialised = tink.proto_keyset_format.serialize(handle, secret_key_access.TOKEN)
    nonce = os.urandom(NONCE_BYTES)
    kek = _raw(settings.FILE_ENCRYPTION_KEYS[0])
    sealed = AESGCM(kek).encrypt(nonce, serialised, _aad(bound_to))
    return VERSION + nonce + sealed, current_key_id()


def unwrap(wrapped: bytes, *, kid: str, bound_to: str) -> tink.KeysetHandle:
    """The file's keyset; FileKeyError, loudly, if no configured file key opens it."""
    kek = _configured().get(kid)
    if kek is None:
        raise FileKeyError(
            f"File {bound_to}: its data key was wrapped under a file key "
            f"({kid}) that FILE_ENCRYPTION_KEYS does not hold. Restore that key."
        )
    wrapped = bytes(wrapped)
    if wrapped[:1] != VERSION:
        raise FileKeyError(f"File {bound_to}: its wrapped data key is damaged.")
    nonce, sealed = wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]
    try:
        serialised = AESGCM(kek).decrypt(nonce, sealed, _aad(bound_to))
    except InvalidTag:
        raise FileKeyError(
            f"File {bound_to}: the file key {kid} does not open its data key: the key is "
            "wrong, or the wrapped key was changed or belongs to another file."
        ) from None
    return tink.proto_keyset_format.parse(serialised, secret_key_access.TOKEN)


def rewrap(wrapped: bytes, *, kid: str, bound_to: str) -> tuple[bytes, str]:
    """The same data key wrapped under the first file key: a rotation re-encrypts no file."""
    return wrap(unwrap(wrapped, kid=kid, bound_to=bound_to), bound_to=bound_to)


def _aad(bound_to: str) -> bytes:
    return b"corridor file data key:" + bound_to.encode()


def stored_keys_problem() -> str | None:
    """Why the stored files cannot be opened with this process's file keys, or None.

    A file key's id is keyed by the key itself, so a wrong key has another
    id: one query compares the ids the stored data keys name with the
    configured ones. Called by the key check (crypto/keycheck.py) at start and
    every minute after.
    """
    from django.db import connection

    from evidence.models import EvidenceFile

    if EvidenceFile._meta.db_table not in connection.introspection.table_names():
        return None  # before `migrate` there is no file to open
    used = set(EvidenceFile.objects.live().values_list("key_id", flat=True).distinct())
    missing = sorted(used - set(_configured()))
    if missing:
        return (
            f"FILE_ENCRYPTION_KEYS does not hold the file key {', '.join(missing)} that "
            "stored files were wrapped under: they cannot be opened. Restore the key "
            "(README: Evidence files); nothing was read or saved."
        )
    return None
