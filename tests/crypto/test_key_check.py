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


# --- The blind-index key -----------------------------------------------------------

ANOTHER_BLIND_INDEX_KEY = "another-blind-index-key-of-at-least-32-characters"
WRONG_BLIND_INDEX_TEXT = "BLIND_INDEX_KEY is not the key this database's handle indexes"


@pytest.fixture
def use_blind_index_key(settings):
    """Configure this process with another BLIND_INDEX_KEY, as a restart with it would."""

    def configure(key: str) -> None:
        settings.BLIND_INDEX_KEY = key
        keycheck.forget()

    return configure


def test_the_key_check_names_the_blind_index_key_by_a_keyed_hash_not_by_the_key(db, settings):
    import hashlib
    import hmac

    key = settings.BLIND_INDEX_KEY
    stored = KeyCheck.objects.get().blind_index_fingerprint
    assert stored == keycheck.blind_index_fingerprint(key)
    assert key not in stored
    assert stored not in hashlib.sha256(key.encode()).hexdigest()
    # Keyed by the key over a label of its own: no handle's blind index is it.
    expected = hmac.new(key.encode(), keycheck.BLIND_INDEX_LABEL, hashlib.sha256).hexdigest()
    assert stored == expected[:16]
    assert b"BLIND_INDEX_KEY" in keycheck.BLIND_INDEX_LABEL


def test_a_blind_index_key_fingerprint_never_changes_between_releases():
    # A new way of computing it would make every database refuse its own key.
    assert keycheck.blind_index_fingerprint("k" * 32) == "48846e10486fde3f"


def test_a_changed_blind_index_key_is_refused_with_the_way_out(db, use_blind_index_key):
    use_blind_index_key(ANOTHER_BLIND_INDEX_KEY)
    found = keycheck.problem()
    assert found == (
        "BLIND_INDEX_KEY is not the key this database's handle indexes and search tokens "
        "were computed with: duplicate checks, flagged handles and search would find nothing. "
        "Put the previous key back, or, if the key was changed on purpose, stop web, worker "
        "and beat and run `manage.py rebuild_search_index --new-blind-index-key` "
        "(README: Changing the blind-index key); nothing was read or saved."
    )
    with pytest.raises(keycheck.KeyMismatch, match="was not saved"), transaction.atomic():
        CaseFactory(alias="Indexed under the wrong key")
    assert not Case.objects.exists()


def test_the_previous_blind_index_key_put_back_passes_again(db, settings, use_blind_index_key):
    previous = settings.BLIND_INDEX_KEY
    use_blind_index_key(ANOTHER_BLIND_INDEX_KEY)
    assert keycheck.problem()
    use_blind_index_key(previous)
    assert keycheck.problem() is None


def test_every_page_says_a_key_is_wrong_while_the_blind_index_key_changed(
    client, caseworker, team_a, use_blind_index_key
):
    client.force_login(caseworker)
    use_blind_index_key(ANOTHER_BLIND_INDEX_KEY)
    page = client.get(reverse("intake:case_list"))
    assert page.status_code == 503
    assert WRONG_KEY_TEXT in page.content.decode()
    sent = client.post(
        reverse("intake:case_create"),
        {"team": team_a.pk, "alias": "Lost", "contact_channel": "phone", "region": "chechnya"},
    )
    assert sent.status_code == 503
    assert not Case.objects.exists()


def test_a_check_from_before_the_blind_index_key_gets_this_key_s_name_on_first_check(
    db, settings, use_blind_index_key
):
    KeyCheck.objects.update(blind_index_fingerprint="")  # as after the migration
    keycheck.check()
    assert KeyCheck.objects.get().blind_index_fingerprint == keycheck.blind_index_fingerprint(
        settings.BLIND_INDEX_KEY
    )
    use_blind_index_key(ANOTHER_BLIND_INDEX_KEY)  # from then on, another key is refused
    with pytest.raises(keycheck.KeyMismatch, match="^BLIND_INDEX_KEY is not"):
        keycheck.check()


def test_a_new_database_names_the_blind_index_key_in_its_first_check(db, settings):
    KeyCheck.objects.all().delete()
    keycheck.check()
    assert KeyCheck.objects.get().blind_index_fingerprint == keycheck.blind_index_fingerprint(
        settings.BLIND_INDEX_KEY
    )


def test_wrong_field_keys_are_reported_first_and_name_no_blind_index_key(
    db, use_keys, use_blind_index_key
):
    KeyCheck.objects.update(blind_index_fingerprint="")
    use_blind_index_key(ANOTHER_BLIND_INDEX_KEY)
    use_keys(new_key())
    with pytest.raises(keycheck.KeyMismatch, match="cannot decrypt the stored key check"):
        keycheck.check()
    # A process that cannot prove its field keys names no blind-index key either.
    assert KeyCheck.objects.get().blind_index_fingerprint == ""


def test_right_field_keys_do_not_excuse_a_changed_blind_index_key(
    db, settings, use_keys, use_blind_index_key
):
    old = list(settings.FIELD_ENCRYPTION_KEY)
    use_keys(new_key(), *old)
    use_blind_index_key(ANOTHER_BLIND_INDEX_KEY)
    # A rotation takes a new field key, never a new blind-index key.
    with pytest.raises(CommandError, match="^BLIND_INDEX_KEY is not"):
        call_command("rotate_encryption_keys")
    with pytest.raises(CommandError, match="^BLIND_INDEX_KEY is not"):
        call_command("check_keys")


@pytest.mark.parametrize("process", PROCESSES)
def test_a_process_with_a_changed_blind_index_key_refuses_to_start(
    database_with_a_key_check, process
):
    env = {**database_with_a_key_check, "BLIND_INDEX_KEY": ANOTHER_BLIND_INDEX_KEY}
    command = [part.format(var=env["CORRIDOR_VAR_DIR"]) for part in PROCESSES[process]]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert WRONG_BLIND_INDEX_TEXT in result.stderr
    assert "ran" not in result.stdout


def test_manage_py_lets_only_the_rebuild_told_the_change_is_on_purpose_past(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    env = {**os.environ, "CORRIDOR_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var}/db"}
    env.pop("CELERY_BROKER_URL", None)

    def manage(*args, **changed):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**env, **changed},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert manage("migrate", "-v0").returncode == 0
    new = {"BLIND_INDEX_KEY": ANOTHER_BLIND_INDEX_KEY}
    # The flag means nothing to another command.
    other = manage("shell", "-c", "print('ran')", "--new-blind-index-key", **new)
    assert other.returncode != 0 and WRONG_BLIND_INDEX_TEXT in other.stderr
    refused = manage("rebuild_search_index", **new)
    assert refused.returncode != 0 and WRONG_BLIND_INDEX_TEXT in refused.stderr
    rebuilt = manage("rebuild_search_index", "--new-blind-index-key", **new)
    assert rebuilt.returncode == 0, rebuilt.stderr
    # The new key is the database's now; the old one is refused in its turn.
    started = manage("shell", "-c", "print('ran')", **new)
    assert started.returncode == 0 and "ran" in started.stdout, started.stderr
    old = manage("shell", "-c", "print('ran')")
    assert old.returncode != 0 and WRONG_BLIND_INDEX_TEXT in old.stderr


# --- The codename key --------------------------------------------------------------

ANOTHER_CODENAME_KEY = "another-codename-key-of-at-least-32-characters-long"
WRONG_CODENAME_TEXT = "CODENAME_KEY is not the key this database's portal codenames"
PORTAL_REQUEST = {
    "alias": "Portal",
    "contact_handle": "",
    "safe_contact": "",
    "region": "chechnya",
    "location": "",
    "threats": [],
    "needs": [],
    "languages": [],
    "risk": 3,
    "narrative": "Asked on the portal.",
}


@pytest.fixture
def use_codename_key(settings):
    """Configure this process with another CODENAME_KEY, as a restart with it would."""

    def configure(key: str) -> None:
        settings.CODENAME_KEY = key
        keycheck.forget()

    return configure


@pytest.fixture
def portal_codename(settings, team_a) -> str:
    """A request made on the portal under this process's CODENAME_KEY; its codename."""
    from portal import services as portal

    settings.PORTAL_TEAM = team_a.name
    _case, words = portal.request_create(data=PORTAL_REQUEST, language="en")
    return words


def test_under_another_codename_key_a_right_codename_silently_opens_nothing(
    portal_codename, settings
):
    from portal import services as portal

    assert portal.sign_in(portal_codename) is not None
    # What the check is for: without it, the person is told their codename opens no
    # request, and nothing anywhere says the key is at fault.
    settings.CODENAME_KEY = ANOTHER_CODENAME_KEY
    assert portal.sign_in(portal_codename) is None
    keycheck.forget()
    assert keycheck.problem().startswith(WRONG_CODENAME_TEXT)


def test_the_key_check_names_the_codename_key_by_a_keyed_hash_not_by_the_key(db, settings):
    import hashlib
    import hmac

    key = settings.CODENAME_KEY
    stored = KeyCheck.objects.get().codename_fingerprint
    assert stored == keycheck.codename_fingerprint(key)
    assert key not in stored
    assert stored not in hashlib.sha256(key.encode()).hexdigest()
    expected = hmac.new(key.encode(), keycheck.CODENAME_LABEL, hashlib.sha256).hexdigest()
    assert stored == expected[:16]
    # Not the blind-index key's label: the two keys' names never coincide.
    assert keycheck.CODENAME_LABEL != keycheck.BLIND_INDEX_LABEL
    assert stored != keycheck.blind_index_fingerprint(key)


def test_a_codename_key_fingerprint_never_changes_between_releases():
    # A new way of computing it would make every database refuse its own key.
    assert keycheck.codename_fingerprint("k" * 32) == "6b146cf21160f68f"


def test_a_changed_codename_key_is_refused_and_says_it_cannot_be_changed(db, use_codename_key):
    use_codename_key(ANOTHER_CODENAME_KEY)
    found = keycheck.problem()
    assert found == (
        "CODENAME_KEY is not the key this database's portal codenames were stored under: "
        "nobody could sign in with their codename, and people would be told their request "
        "does not exist. It cannot be changed in place (a codename is kept only as its "
        "hash, so nothing can be computed again under a new key): put the previous key "
        "back (README: The portal); nothing was read or saved."
    )
    with pytest.raises(keycheck.KeyMismatch, match="was not saved"), transaction.atomic():
        CaseFactory(alias="Saved under the wrong codename key")
    assert not Case.objects.exists()


def test_the_previous_codename_key_put_back_passes_again(db, settings, use_codename_key):
    previous = settings.CODENAME_KEY
    use_codename_key(ANOTHER_CODENAME_KEY)
    assert keycheck.problem()
    use_codename_key(previous)
    assert keycheck.problem() is None


def test_the_portal_and_staff_pages_say_a_key_is_wrong_while_the_codename_key_changed(
    client, caseworker, portal_codename, use_codename_key
):
    from django.test import Client

    from portal.models import PortalSession

    staff = Client()
    staff.force_login(caseworker)
    use_codename_key(ANOTHER_CODENAME_KEY)
    page = client.get(reverse("portal:sign_in"))
    assert page.status_code == 503
    assert WRONG_KEY_TEXT in page.content.decode()
    signed = client.post(reverse("portal:sign_in"), {"codename": portal_codename})
    assert signed.status_code == 503
    assert not PortalSession.objects.exists()
    assert staff.get(reverse("intake:case_list")).status_code == 503


def test_a_check_from_before_the_portal_gets_this_codename_key_s_name_on_first_check(
    db, settings, use_codename_key
):
    KeyCheck.objects.update(codename_fingerprint="")  # as after the migration
    keycheck.check()
    assert KeyCheck.objects.get().codename_fingerprint == keycheck.codename_fingerprint(
        settings.CODENAME_KEY
    )
    use_codename_key(ANOTHER_CODENAME_KEY)  # from then on, another key is refused
    with pytest.raises(keycheck.KeyMismatch, match="^CODENAME_KEY is not"):
        keycheck.check()


def test_a_new_database_names_the_codename_key_in_its_first_check(db, settings):
    KeyCheck.objects.all().delete()
    keycheck.check()
    assert KeyCheck.objects.get().codename_fingerprint == keycheck.codename_fingerprint(
        settings.CODENAME_KEY
    )


def test_wrong_field_keys_are_reported_first_and_name_no_codename_key(
    db, use_keys, use_codename_key
):
    KeyCheck.objects.update(codename_fingerprint="")
    use_codename_key(ANOTHER_CODENAME_KEY)
    use_keys(new_key())
    with pytest.raises(keycheck.KeyMismatch, match="cannot decrypt the stored key check"):
        keycheck.check()
    assert KeyCheck.objects.get().codename_fingerprint == ""


def test_nothing_lets_a_changed_codename_key_past(db, settings, use_keys, use_codename_key):
    previous = keycheck.codename_fingerprint(settings.CODENAME_KEY)
    use_keys(new_key(), *settings.FIELD_ENCRYPTION_KEY)
    use_codename_key(ANOTHER_CODENAME_KEY)
    # Neither a rotation nor the blind-index rebuild takes a new codename key.
    with pytest.raises(CommandError, match="^CODENAME_KEY is not"):
        call_command("rotate_encryption_keys")
    with pytest.raises(CommandError, match="^CODENAME_KEY is not"):
        call_command("check_keys")
    with pytest.raises(keycheck.KeyMismatch, match="^CODENAME_KEY is not"):
        keycheck.verify_at_start(blind_index_key_changing=True)
    assert KeyCheck.objects.get().codename_fingerprint == previous


@pytest.mark.parametrize("process", PROCESSES)
def test_a_process_with_a_changed_codename_key_refuses_to_start(database_with_a_key_check, process):
    env = {**database_with_a_key_check, "CODENAME_KEY": ANOTHER_CODENAME_KEY}
    command = [part.format(var=env["CORRIDOR_VAR_DIR"]) for part in PROCESSES[process]]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert WRONG_CODENAME_TEXT in result.stderr
    assert "ran" not in result.stdout


def test_the_blind_index_rebuild_does_not_take_a_changed_codename_key(database_with_a_key_check):
    env = {
        **database_with_a_key_check,
        "BLIND_INDEX_KEY": ANOTHER_BLIND_INDEX_KEY,
        "CODENAME_KEY": ANOTHER_CODENAME_KEY,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "rebuild_search_index", "--new-blind-index-key"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert WRONG_CODENAME_TEXT in result.stderr
