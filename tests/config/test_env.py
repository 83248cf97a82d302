import pytest
from django.core.exceptions import ImproperlyConfigured

from core import env


@pytest.fixture(autouse=True)
def no_dev_secrets(monkeypatch, tmp_path):
    monkeypatch.setattr(env, "DEV_SECRETS_DIR", tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("0", False), ("YES", True), ("", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("X_FLAG", raw)
    assert env.env_bool("X_FLAG", not value) is value


def test_env_bool_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG", False)


def test_env_int_refuses_a_non_number(monkeypatch):
    monkeypatch.setenv("X_NUM", "15m")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env.env_int("X_NUM", 1)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("X_LIST", " a, b ,,c")
    assert env.env_list("X_LIST", "") == ["a", "b", "c"]


def test_a_secret_comes_from_the_variable_then_the_file_then_var_secrets(
    monkeypatch, tmp_path, no_dev_secrets
):
    (no_dev_secrets / "x_secret").write_text("from-dev-file\n")
    assert env.env_secret("X_SECRET") == "from-dev-file"
    secret_file = tmp_path / "mounted"
    secret_file.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret_file))
    assert env.env_secret("X_SECRET") == "from-file"
    monkeypatch.setenv("X_SECRET", "from-env")
    assert env.env_secret("X_SECRET") == "from-env"


def test_an_unreadable_secret_file_stops_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env.env_secret("X_SECRET")


def test_an_optional_secret_may_be_absent():
    assert env.env_secret("X_ABSENT", required=False) == ""


def settings_load_with(monkeypatch, name: str, value: str):
    """Import the settings in a fresh interpreter with one variable set; return the result."""
    import os
    import subprocess
    import sys

    monkeypatch.setenv(name, value)
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.DEBUG"],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=False,
    )


def test_settings_refuse_a_malformed_encryption_key(monkeypatch):
    result = settings_load_with(monkeypatch, "FIELD_ENCRYPTION_KEYS", "not-a-fernet-key")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys" in result.stderr
    assert "not-a-fernet-key" not in result.stderr


def test_settings_refuse_a_statistics_threshold_below_three(monkeypatch):
    result = settings_load_with(monkeypatch, "CORRIDOR_STATS_THRESHOLD", "2")
    assert result.returncode != 0
    assert "CORRIDOR_STATS_THRESHOLD must be 3 or more" in result.stderr


def test_a_secret_set_but_empty_is_an_error_not_a_fall_back(monkeypatch, no_dev_secrets):
    (no_dev_secrets / "x_secret").write_text("from-dev-file\n")
    monkeypatch.setenv("X_SECRET", "  ")
    with pytest.raises(ImproperlyConfigured, match="X_SECRET is set but empty"):
        env.env_secret("X_SECRET")


def test_an_optional_secret_set_but_empty_is_an_error_too(monkeypatch):
    monkeypatch.setenv("X_OPTIONAL", "")
    with pytest.raises(ImproperlyConfigured, match="set but empty"):
        env.env_secret("X_OPTIONAL", required=False)


@pytest.mark.parametrize("content", ["", "\n"])
def test_an_empty_secret_file_is_an_error(monkeypatch, tmp_path, content):
    secret_file = tmp_path / "mounted"
    secret_file.write_text(content)
    monkeypatch.setenv("X_SECRET_FILE", str(secret_file))
    with pytest.raises(ImproperlyConfigured, match="set but empty"):
        env.env_secret("X_SECRET")


def test_an_empty_secret_file_name_is_an_error(monkeypatch, no_dev_secrets):
    (no_dev_secrets / "x_secret").write_text("from-dev-file\n")
    monkeypatch.setenv("X_SECRET_FILE", "")
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE is set but empty"):
        env.env_secret("X_SECRET")


@pytest.mark.parametrize(
    "name",
    ["FIELD_ENCRYPTION_KEYS", "DJANGO_SECRET_KEY", "BLIND_INDEX_KEY", "EMAIL_HOST_PASSWORD"],
)
def test_settings_refuse_every_secret_set_to_an_empty_string(monkeypatch, name):
    # var/secrets/ holds a valid value for each: it must not be used instead.
    result = settings_load_with(monkeypatch, name, "")
    assert result.returncode != 0
    assert f"{name} is set but empty" in result.stderr


def test_the_file_e_mail_backend_works_with_the_default_path_and_from_the_environment(
    monkeypatch, tmp_path
):
    import os
    import subprocess
    import sys

    script = (
        "import django; django.setup();"
        "from django.core.mail import get_connection, send_mail;"
        "get_connection();"
        "send_mail('s', 'b', None, ['x@example.org'])"
    )
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CORRIDOR_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    }
    for environ, folder in [
        (base, tmp_path / "var" / "mail"),
        ({**base, "EMAIL_FILE_PATH": str(tmp_path / "outbox")}, tmp_path / "outbox"),
    ]:
        result = subprocess.run(
            [sys.executable, "-c", script], env=environ, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert len(list(folder.iterdir())) == 1
