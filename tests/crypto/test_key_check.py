"""A process whose keys cannot read the key check never writes, and says so."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from encrypted_model_fields import fields as library

from crypto import keycheck
from crypto.models import KeyCheck
from intake.models import Case
from reminders.models import Notification
from reminders.tasks import scan_reminders
from tests.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[2]
WRONG_KEY_TEXT = "The encryption key is wrong: nothing can be read or saved."


@pytest.fixture
def use_keys(settings, monkeypatch):
    """Configure this process with other keys, as a restart with another environment would."""

    def configure(*keys: str) -> None:
        settings.FIELD_ENCRYPTION_KEY = list(keys)
        monkeypatch.setattr(library, "CRYPTER", MultiFernet([Fernet(k) for k in keys]))
        keycheck.forget()

    return configure


def new_key() -> str:
    return Fernet.generate_key().decode()


def test_the_database_holds_a_key_check_but_not_the_key(db, settings):
    row = KeyCheck.objects.get()
    key = settings.FIELD_ENCRYPTION_KEY[0]
    assert Fernet(key).decrypt(row.token.encode()) == keycheck.KNOWN_VALUE
    assert row.fingerprints == [keycheck.fingerprint(key)]
    assert key not in row.token + "".join(row.fingerprints)
    keycheck.check()  # the right keys pass


def test_a_valid_but_wrong_key_is_refused(db, use_keys):
    use_keys(new_key())
    with pytest.raises(keycheck.KeyMismatch, match="cannot decrypt the stored key check"):
        keycheck.check()


def test_a_new_key_put_first_is_refused_until_rotation_takes_it(db, settings, use_keys, capsys):
    old = list(settings.FIELD_ENCRYPTION_KEY)
    new = new_key()
    use_keys(new, *old)
    with pytest.raises(keycheck.KeyMismatch, match="never encrypted this database"):
        keycheck.check()
    call_command("rotate_encryption_keys")
    keycheck.check()
    row = KeyCheck.objects.get()
    assert row.fingerprints == [keycheck.fingerprint(old[0]), keycheck.fingerprint(new)]
    assert Fernet(new).decrypt(row.token.encode()) == keycheck.KNOWN_VALUE
    # A process still holding only the old key can no longer read the check.
    use_keys(*old)
    with pytest.raises(keycheck.KeyMismatch):
        keycheck.check()


def test_a_retired_key_put_back_first_is_refused(db, settings, use_keys):
    old = list(settings.FIELD_ENCRYPTION_KEY)
    new = new_key()
    use_keys(new, *old)
    call_command("rotate_encryption_keys")
    # Both keys read everything, but the old one must never encrypt again.
    use_keys(*old, new)
    with pytest.raises(keycheck.KeyMismatch, match="retired by a key rotation"):
        keycheck.check()


def test_a_check_written_meanwhile_by_a_process_with_other_keys_is_checked(
    db, monkeypatch, use_keys
):
    KeyCheck.objects.all().delete()
    others = new_key()

    def another_process_wins_the_race():
        token = Fernet(others).encrypt(keycheck.KNOWN_VALUE).decode()
        KeyCheck.objects.create(pk=1, token=token, fingerprints=[keycheck.fingerprint(others)])

    monkeypatch.setattr(keycheck, "record_first_check", another_process_wins_the_race)
    with pytest.raises(keycheck.KeyMismatch, match="cannot decrypt the stored key check"):
        keycheck.check()


def test_rotation_with_a_wrong_key_takes_nothing(db, settings, use_keys):
    before = KeyCheck.objects.get()
    use_keys(new_key())
    with pytest.raises(CommandError, match="Nothing was re-encrypted"):
        call_command("rotate_encryption_keys")
    after = KeyCheck.objects.get()
    assert (after.token, after.fingerprints) == (before.token, before.fingerprints)


def test_a_database_without_a_check_gets_one_only_if_the_keys_read_its_rows(db, use_keys):
    CaseFactory(alias="Written under the right key")
    KeyCheck.objects.all().delete()  # as in a database from before the key check
    use_keys(new_key())
    with pytest.raises(Exception, match="cannot be decrypted"):
        keycheck.check()
    assert not KeyCheck.objects.exists()


def test_while_the_keys_are_wrong_nothing_encrypted_is_saved(db, team_a, use_keys):
    use_keys(new_key())
    assert keycheck.problem()
    with pytest.raises(keycheck.KeyMismatch, match="was not saved"), transaction.atomic():
        CaseFactory(team=team_a, alias="Under the wrong key")
    assert not Case.objects.exists()


def test_every_page_says_the_key_is_wrong_and_a_request_is_not_recorded(
    client, caseworker, team_a, use_keys
):
    client.force_login(caseworker)
    use_keys(new_key())
    page = client.get(reverse("intake:case_list"))
    assert page.status_code == 503
    assert WRONG_KEY_TEXT in page.content.decode()
    sent = client.post(
        reverse("intake:case_create"),
        {"team": team_a.pk, "alias": "Lost", "contact_channel": "phone", "region": "chechnya"},
    )
    assert sent.status_code == 503
    assert not Case.objects.exists()


def test_the_refusal_is_in_russian_for_a_russian_speaker(client, caseworker, use_keys):
    caseworker.language = "ru"
    caseworker.save(update_fields=["language"])
    client.force_login(caseworker)
    use_keys(new_key())
    page = client.get(reverse("intake:case_list"), HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 503
    assert "Ключ шифрования неверен" in page.content.decode()


def test_a_running_process_finds_out_when_the_key_check_changes(
    client, caseworker, team_a, settings
):
    client.force_login(caseworker)
    assert client.get(reverse("intake:case_list")).status_code == 200
    # Another process rotated to a key this one does not hold.
    other = new_key()
    KeyCheck.objects.update(token=Fernet(other).encrypt(keycheck.KNOWN_VALUE).decode())
    assert client.get(reverse("intake:case_list")).status_code == 200  # checked a moment ago
    keycheck._state["checked_at"] -= keycheck.CHECK_EVERY  # a minute later
    page = client.get(reverse("intake:case_list"))
    assert page.status_code == 503
    assert WRONG_KEY_TEXT in page.content.decode()


def test_a_value_that_fails_to_decrypt_brings_the_next_check_forward(db, monkeypatch):
    CaseFactory(alias="Readable")
    assert keycheck.problem() is None
    assert keycheck._state["checked_at"] is not None
    # The fields' keys only: a damaged value, or keys changed under the process.
    monkeypatch.setattr(library, "CRYPTER", MultiFernet([Fernet(new_key())]))
    with pytest.raises(Exception, match="cannot be decrypted"):
        Case.objects.get()
    assert keycheck._state["checked_at"] is None


def test_a_job_with_wrong_keys_fails_before_it_writes(db, team_a, coordinator, use_keys):
    from django.utils import timezone

    case = CaseFactory(team=team_a, risk=4)
    Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timezone.timedelta(hours=5))
    use_keys(new_key())
    result = scan_reminders.apply()
    assert result.state == "FAILURE"
    assert isinstance(result.result, keycheck.KeyMismatch)
    assert not Notification.objects.exists()


# --- Every kind of process refuses to start ----------------------------------------


@pytest.fixture(scope="module")
def database_with_a_key_check(tmp_path_factory):
    """A database file written under the development key, outside the test database."""
    var = tmp_path_factory.mktemp("var")
    env = {**os.environ, "CORRIDOR_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var}/db"}
    env.pop("CELERY_BROKER_URL", None)  # the filesystem broker, under var
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "crypto", "-v0"], cwd=ROOT, env=env, check=True
    )
    return env


PROCESSES = {
    "web": [sys.executable, "-c", "import config.wsgi"],
    "management command": [sys.executable, "manage.py", "shell", "-c", "print('ran')"],
    "worker": [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"],
    "beat": [sys.executable, "-m", "celery", "-A", "config", "beat", "-s", "{var}/beat"],
}


@pytest.mark.parametrize("process", PROCESSES)
def test_a_process_with_a_wrong_key_refuses_to_start(database_with_a_key_check, process):
    env = {**database_with_a_key_check, "FIELD_ENCRYPTION_KEYS": new_key()}
    command = [part.format(var=env["CORRIDOR_VAR_DIR"]) for part in PROCESSES[process]]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "cannot decrypt the stored key check" in result.stderr


@pytest.mark.parametrize("process", ["web", "management command"])
def test_the_same_process_starts_with_the_right_key(database_with_a_key_check, process):
    result = subprocess.run(
        PROCESSES[process],
        cwd=ROOT,
        env=database_with_a_key_check,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
