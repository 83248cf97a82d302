"""Refuse to run with encryption keys that cannot read what is stored.

A valid but wrong FIELD_ENCRYPTION_KEYS would otherwise boot, fail on every
read and, worse, save new rows under a key nobody keeps. Every process
(web, worker, beat, management commands) calls `verify_or_exit` at start;
web requests and jobs call `problem()` again at most every CHECK_EVERY
seconds, and while it reports a problem nothing encrypted is written
(`refuse_write`) and every page says so.

A new newest key is accepted only by `rotate_encryption_keys`
(README: Rotating the encryption key), which calls `accept_newest_key`.

The same row holds a fingerprint of BLIND_INDEX_KEY: with another key every
stored handle index and search token is stale, and duplicate checks, flagged
handles and search would silently find nothing. A new one is taken only by
`rebuild_search_index --new-blind-index-key` (README: Changing the
blind-index key), which calls `accept_blind_index_key` once every case is
indexed under it.

And one of CODENAME_KEY: the portal finds a codename only by its HMAC under
that key, so under another key nobody could sign in, and a person told "this
codename opens no request" would believe their request gone. There is no way
to change it in place (a codename is kept only as its hash: nothing can be
computed again under a new key), so a different key is refused, always.
"""

import base64
import hashlib
import hmac
import sys
import time

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

KNOWN_VALUE = b"key check"
CHECK_EVERY = 60  # seconds between checks in a running process

WRONG_KEY_MESSAGE = _(
    "The encryption key is wrong: nothing can be read or saved. Tell the administrator."
)


class KeyMismatch(RuntimeError):
    """The configured keys are not the ones this database was written with."""


# What this process last found: None (keys read the check) or why not; and
# whether it is the rebuild that may run while BLIND_INDEX_KEY is new.
_state: dict = {"problem": None, "checked_at": None, "blind_index_key_changing": False}

# Keyed by the raw key, as the handle index is: a handle never normalises to
# text with spaces (crypto.blind_index), so no handle's index equals this.
BLIND_INDEX_LABEL = b"corridor key check: BLIND_INDEX_KEY fingerprint"

WRONG_BLIND_INDEX_KEY = (
    "BLIND_INDEX_KEY is not the key this database's handle indexes and search tokens "
    "were computed with: duplicate checks, flagged handles and search would find nothing. "
    "Put the previous key back, or, if the key was changed on purpose, stop web, worker "
    "and beat and run `manage.py rebuild_search_index --new-blind-index-key` "
    "(README: Changing the blind-index key); nothing was read or saved."
)


CODENAME_LABEL = b"corridor key check: CODENAME_KEY fingerprint"

WRONG_CODENAME_KEY = (
    "CODENAME_KEY is not the key this database's portal codenames were stored under: "
    "nobody could sign in with their codename, and people would be told their request "
    "does not exist. It cannot be changed in place (a codename is kept only as its "
    "hash, so nothing can be computed again under a new key): put the previous key "
    "back (README: The portal); nothing was read or saved."
)


def fingerprint(key: str) -> str:
    """A name for a key that says nothing about it: a hash keyed by the key itself."""
    raw = base64.urlsafe_b64decode(key.encode())
    return hmac.new(raw, b"key fingerprint", hashlib.sha256).hexdigest()[:16]


def blind_index_fingerprint(key: str) -> str:
    """A name for BLIND_INDEX_KEY that says nothing about it: an HMAC keyed by it."""
    return hmac.new(key.encode(), BLIND_INDEX_LABEL, hashlib.sha256).hexdigest()[:16]


def codename_fingerprint(key: str) -> str:
    """A name for CODENAME_KEY that says nothing about it: an HMAC keyed by it.

    Over a label of its own: the lookup values are HMACs of normalised
    codenames under "codename-lookup:" and the key, never of this label.
    """
    return hmac.new(key.encode(), CODENAME_LABEL, hashlib.sha256).hexdigest()[:16]


# Checks the apps above add (evidence: the file keys its wrapped data keys
# name), each returning why this process's keys cannot read what is stored, or None.
_extra_checks: list = []


def register_extra_check(check_keys) -> None:
    if check_keys not in _extra_checks:
        _extra_checks.append(check_keys)


def _keys() -> list[str]:
    return list(settings.FIELD_ENCRYPTION_KEY)


def _key_check_table_exists() -> bool:
    from crypto.models import KeyCheck

    return KeyCheck._meta.db_table in connection.introspection.table_names()


def _key_check_table_current() -> bool:
    """Whether the table has every column the model reads: not before `migrate` has
    added a new one (an upgrade), when reading the row would fail with no key at fault."""
    from crypto.models import KeyCheck

    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, KeyCheck._meta.db_table)
    present = {column.name for column in table}
    return {field.column for field in KeyCheck._meta.concrete_fields} <= present


def check(*, accept_new_key: bool = False) -> None:
    """Raise KeyMismatch unless the first configured key is the one the key check is under,
    BLIND_INDEX_KEY the one the stored indexes were computed with, and CODENAME_KEY
    the one the codenames' lookup values were.

    Any other key reading it is not enough: a retired key put back first
    would write rows that stop reading once it is destroyed. Key rotation
    passes accept_new_key: a configured key that reads the check proves the
    operator holds the current key, and the first key is then taken. The
    blind-index and codename keys are checked only once the field keys
    pass, and no check's success excuses another.
    """
    from crypto.models import KeyCheck

    row = KeyCheck.objects.filter(pk=1).first()
    if row is None:
        record_first_check()
        # Another process may have written it first, under its own keys.
        row = KeyCheck.objects.get(pk=1)
    _check_field_keys(row, accept_new_key=accept_new_key)
    _check_blind_index_key(row)
    _check_codename_key(row)
    for extra in _extra_checks:
        if found := extra():
            raise KeyMismatch(found)


def _check_field_keys(row, *, accept_new_key: bool) -> None:
    keys = _keys()
    if _reads(keys[:1], row.token):
        return
    if not _reads(keys, row.token):
        raise KeyMismatch(
            "FIELD_ENCRYPTION_KEYS cannot decrypt the stored key check: the keys are wrong "
            "or one is missing. Restore the keys this database was written with; "
            "nothing was read or saved."
        )
    if accept_new_key:
        accept_newest_key()
    elif fingerprint(keys[0]) in row.fingerprints:
        raise KeyMismatch(
            "The first key in FIELD_ENCRYPTION_KEYS was retired by a key rotation. "
            "Put the current key first; an old key never encrypts again."
        )
    else:
        raise KeyMismatch(
            "The first key in FIELD_ENCRYPTION_KEYS has never encrypted this database. "
            "A new key is taken only by `manage.py rotate_encryption_keys` "
            "(README: Rotating the encryption key); until then put the current key first."
        )


def _stored_fingerprint(row, column: str, current: str) -> str:
    """The fingerprint the key check names for a key; a check written before it named
    this key takes the key of the first process to look, as the first check takes the
    field key. Conditional: a process with another key may be filling it too."""
    from crypto.models import KeyCheck

    if stored := getattr(row, column):
        return stored
    KeyCheck.objects.filter(pk=1, **{column: ""}).update(**{column: current})
    return KeyCheck.objects.values_list(column, flat=True).get(pk=1)


def _check_blind_index_key(row) -> None:
    current = blind_index_fingerprint(settings.BLIND_INDEX_KEY)
    stored = _stored_fingerprint(row, "blind_index_fingerprint", current)
    if stored != current and not _state["blind_index_key_changing"]:
        raise KeyMismatch(WRONG_BLIND_INDEX_KEY)


def _check_codename_key(row) -> None:
    # Before the portal no codename can exist under any other key. No rebuild can
    # excuse another one: unlike the blind index, nothing can be computed again.
    current = codename_fingerprint(settings.CODENAME_KEY)
    if _stored_fingerprint(row, "codename_fingerprint", current) != current:
        raise KeyMismatch(WRONG_CODENAME_KEY)


def _reads(keys: list[str], token: str) -> bool:
    try:
        return MultiFernet([Fernet(k) for k in keys]).decrypt(token.encode()) == KNOWN_VALUE
    except InvalidToken:
        return False


def record_first_check() -> None:
    """Write the key check for a database that has none, once stored rows prove the keys."""
    from crypto.canary import verify_keys
    from crypto.models import KeyCheck

    # A database from before the key check (or a new one, with nothing to
    # read) still holds rows: the keys must read them before they are trusted.
    verify_keys(sample=3, only_existing_tables=True)
    newest = _keys()[0]
    KeyCheck.objects.get_or_create(
        pk=1,
        defaults={
            "token": Fernet(newest).encrypt(KNOWN_VALUE).decode(),
            "fingerprints": [fingerprint(newest)],
            "blind_index_fingerprint": blind_index_fingerprint(settings.BLIND_INDEX_KEY),
            "codename_fingerprint": codename_fingerprint(settings.CODENAME_KEY),
        },
    )


@transaction.atomic
def accept_newest_key() -> None:
    """Make the first configured key the one the key check is written under.

    Only check(accept_new_key=True) calls this, once the configured keys
    have read the current check.
    """
    from crypto.models import KeyCheck

    row = KeyCheck.objects.select_for_update().get(pk=1)
    newest = _keys()[0]
    row.token = Fernet(newest).encrypt(KNOWN_VALUE).decode()
    if fingerprint(newest) not in row.fingerprints:
        row.fingerprints = [*row.fingerprints, fingerprint(newest)]
    row.save()
    forget()


def accept_blind_index_key() -> None:
    """Record BLIND_INDEX_KEY as the key the stored indexes are under.

    Only `rebuild_search_index` calls this, after a run that computed every
    case's index and tokens again under it.
    """
    from django.utils import timezone

    from crypto.models import KeyCheck

    KeyCheck.objects.filter(pk=1).update(
        blind_index_fingerprint=blind_index_fingerprint(settings.BLIND_INDEX_KEY),
        changed_at=timezone.now(),
    )
    forget()


def problem(*, force: bool = False) -> str | None:
    """Why this process must not read or write, or None; checks again when due."""
    from crypto.fields import DecryptionError  # crypto.fields imports this module

    now = time.monotonic()
    last = _state["checked_at"]
    if force or last is None or now - last >= CHECK_EVERY:
        try:
            check()
            _state["problem"] = None
        except (KeyMismatch, DecryptionError) as exc:
            _state["problem"] = str(exc)
        _state["checked_at"] = now
    return _state["problem"]


def check_soon() -> None:
    """A value failed to decrypt: look at the key check on the next chance, not in a minute."""
    _state["checked_at"] = None


def forget() -> None:
    """Start afresh (after a rotation, and between tests)."""
    _state.update(problem=None, checked_at=None, blind_index_key_changing=False)


def refuse_write(model_name: str) -> None:
    """Raise if this process knows its keys are wrong; never queries."""
    if _state["problem"]:
        raise KeyMismatch(f"{model_name} was not saved: {_state['problem']}")


def verify_at_start(*, blind_index_key_changing: bool = False) -> None:
    """At start: raise KeyMismatch if this process's keys cannot read the key check.

    Before the first migration there is nothing to check (and nowhere to
    keep the check); `migrate` writes it. blind_index_key_changing is for
    `rebuild_search_index --new-blind-index-key` alone: that process may run
    under a BLIND_INDEX_KEY the check does not name yet (never with wrong
    field keys), until it records the key.
    """
    _state["blind_index_key_changing"] = blind_index_key_changing
    if not _key_check_table_exists() or not _key_check_table_current():
        return  # `migrate` brings the table up to date, then checks (record_after_migrate)
    if found := problem(force=True):
        raise KeyMismatch(found)


def verify_or_exit(process: str, *, blind_index_key_changing: bool = False) -> None:
    """verify_at_start for a command line process: say why on stderr and stop."""
    try:
        verify_at_start(blind_index_key_changing=blind_index_key_changing)
    except KeyMismatch as exc:
        sys.stderr.write(f"{process} not started: {exc}\n")
        raise SystemExit(78) from None  # EX_CONFIG


def record_after_migrate(**kwargs) -> None:
    # Migrated back before a column the model reads: nothing to check until forward again.
    if _key_check_table_exists() and _key_check_table_current():
        problem(force=True)
        if _state["problem"]:
            raise KeyMismatch(_state["problem"])
