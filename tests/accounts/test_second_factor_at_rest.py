"""A copy of the database holds no usable second factor: keys encrypted, codes hashed."""

import base64
import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Authenticator, RecoveryCode, RecoveryCodeSet
from crypto.fields import DecryptionError
from tests.factories import PASSWORD

KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, in hex


def code(key_hex: str) -> str:
    return f"{TOTP(bytes.fromhex(key_hex)).token():06d}"


def second_factor_rows() -> dict[str, list[tuple]]:
    """Every row of every table that holds a second factor, old (django-otp's) and new."""
    ours = {"accounts_authenticator", "accounts_recoverycodeset", "accounts_recoverycode"}
    names = connection.introspection.table_names()
    tables = [t for t in names if t.startswith("otp_") or t in ours]
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (names from introspection)
            rows[table] = cursor.fetchall()
    return rows


def enrol_through_the_pages(username: str) -> tuple[bytes, list[str]]:
    """Enrol as a person would; return the key the page shows and the recovery codes."""
    client = Client()
    client.post(reverse("login"), {"username": username, "password": PASSWORD})
    page = client.get(reverse("two_factor_setup")).content.decode()
    secret = re.search(r'data-copy="([A-Z2-7]+)"', page).group(1)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    response = client.post(reverse("two_factor_setup"), {"token": code(key.hex())})
    return key, response.context["codes"]


def test_no_stored_value_is_a_second_factor(caseworker):
    key, codes = enrol_through_the_pages("caseworker")
    rows = second_factor_rows()
    stored = [value for table in rows.values() for row in table for value in row]
    forms_of_the_key = [key.hex(), key.hex().upper(), base64.b32encode(key).decode().rstrip("=")]
    for value in (v for v in stored if isinstance(v, str)):
        for secret in forms_of_the_key + codes:
            assert secret not in value
        try:
            as_key = bytes.fromhex(value)
        except ValueError:
            continue
        assert as_key != key  # no stored value, taken as a TOTP key, makes the codes
    assert rows["accounts_authenticator"] and len(rows["accounts_recoverycode"]) == 10
    # And the second factors still work from what is stored.
    assert Authenticator.objects.get(user=caseworker).bin_key == key
    assert RecoveryCodeSet.objects.get(user=caseworker).verify_token(codes[0])


def test_the_totp_key_is_stored_encrypted(caseworker):
    device = Authenticator.objects.create(user=caseworker, name="phone", key=KEY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_authenticator WHERE id = %s", [device.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("gAAAA") and KEY not in stored  # a Fernet token
    assert Authenticator.objects.get(pk=device.pk).key == KEY


def test_a_wrong_encryption_key_makes_reading_an_authenticator_fail_loudly(
    caseworker,
    use_wrong_key,  # noqa: F811
):
    device = Authenticator.objects.create(user=caseworker, name="phone", key=KEY)
    use_wrong_key()
    with pytest.raises(DecryptionError):
        Authenticator.objects.get(pk=device.pk)
    with pytest.raises(DecryptionError):
        list(devices_for_user(caseworker))  # so sign-in stops, rather than refusing every code


def test_a_totp_code_is_accepted_once_even_from_a_copy_read_before(caseworker):
    Authenticator.objects.create(user=caseworker, name="phone", key=KEY)
    first, second = (Authenticator.objects.get(user=caseworker) for _ in range(2))
    token = code(KEY)
    assert first.verify_token(token)
    # The second request read the device before the first one signed in: the
    # time step is claimed in the database, not in the copy.
    assert not second.verify_token(token)
    assert not Authenticator.objects.get(user=caseworker).verify_token(token)


def test_a_recovery_code_works_once_and_only_its_hash_is_kept(caseworker, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # the second refusal is not throttling
    codes = ["5f1e2d3c4b", "0a1b2c3d4e"]
    device = RecoveryCodeSet.objects.create(user=caseworker, name="recovery codes")
    device.add_codes(codes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM accounts_recoverycode")
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 2 and not set(stored) & set(codes)
    assert not device.verify_token(stored[0])  # a stolen hash is not a code
    assert device.verify_token(" 5F1E2D3C4B ")  # as typed from a sheet of paper
    assert not device.verify_token("5f1e2d3c4b")
    assert RecoveryCode.objects.count() == 1
    assert device.verify_token("0a1b2c3d4e")


@pytest.mark.parametrize("kind", ["authenticator", "recovery codes"])
def test_throttling_still_refuses_a_right_code_after_a_wrong_one(caseworker, kind):
    if kind == "authenticator":
        device = Authenticator.objects.create(user=caseworker, name="phone", key=KEY)
        right = code(KEY)
    else:
        device = RecoveryCodeSet.objects.create(user=caseworker, name="recovery codes")
        device.add_codes(["5f1e2d3c4b"])
        right = "5f1e2d3c4b"
    assert not device.verify_token("000000")
    device = type(device).objects.get(pk=device.pk)
    assert device.throttling_failure_count == 1
    assert not device.verify_token(right)  # within the second after a failure
    earlier = timezone.now() - timedelta(seconds=10)
    type(device).objects.filter(pk=device.pk).update(throttling_failure_timestamp=earlier)
    device = type(device).objects.get(pk=device.pk)
    assert device.verify_token(right)
    assert type(device).objects.get(pk=device.pk).throttling_failure_count == 0


@pytest.mark.parametrize("kind", ["authenticator", "recovery codes"])
def test_failures_at_once_are_all_counted(caseworker, kind):
    if kind == "authenticator":
        device = Authenticator.objects.create(user=caseworker, name="phone", key=KEY)
    else:
        device = RecoveryCodeSet.objects.create(user=caseworker, name="recovery codes")
        device.add_codes(["5f1e2d3c4b"])
    # Two requests load the device before either has counted its failure.
    first, second = (type(device).objects.get(pk=device.pk) for _ in range(2))
    assert not first.verify_token("000000")
    assert not second.verify_token("000000")
    assert type(device).objects.get(pk=device.pk).throttling_failure_count == 2


def test_the_migration_moves_plaintext_devices_into_encrypted_and_hashed_rows(caseworker):
    migration = importlib.import_module("accounts.migrations.0007_move_second_factors")
    created = timezone.now() - timedelta(days=30)
    old = TOTPDevice.objects.create(user=caseworker, name="phone", key=KEY, last_t=100)
    TOTPDevice.objects.filter(pk=old.pk).update(created_at=created)
    static = StaticDevice.objects.create(user=caseworker, name="recovery codes")
    StaticToken.objects.create(device=static, token="abc123def0")

    migration.move_second_factors(apps, None)

    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()
    assert not StaticDevice.objects.exists()
    new = Authenticator.objects.get(user=caseworker)
    assert (new.key, new.last_t, new.name, new.confirmed) == (KEY, 100, "phone", True)
    assert new.created_at == created
    rows = second_factor_rows()
    stored = [v for table in rows.values() for row in table for v in row if isinstance(v, str)]
    assert not any(KEY in value or "abc123def0" in value for value in stored)
    codes = RecoveryCodeSet.objects.get(user=caseworker)
    assert codes.verify_token("abc123def0")
    assert not codes.verify_token("abc123def0")


def test_the_migration_with_a_wrong_key_stops_before_it_touches_a_device(caseworker, use_wrong_key):
    from tests.factories import CaseFactory

    migration = importlib.import_module("accounts.migrations.0007_move_second_factors")
    CaseFactory(alias="Written under the right key")
    old = TOTPDevice.objects.create(user=caseworker, name="phone", key=KEY)
    use_wrong_key()
    with pytest.raises(DecryptionError):
        migration.move_second_factors(apps, None)
    assert TOTPDevice.objects.filter(pk=old.pk, key=KEY).exists()
    assert not Authenticator.objects.exists()
