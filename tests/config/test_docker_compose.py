"""docker-compose.yml runs what the code has, with variables the settings read."""

import json
import re
import runpy
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS_SOURCE = (ROOT / "config" / "settings.py").read_text()
APP_SERVICES = ["migrate", "web", "worker", "beat"]


def settings_reads():
    """Environment variables the settings read, and which of them are secrets."""
    # _limit reads its variable with env_str (config/settings.py, the portal's limits).
    name = r'"([A-Z][A-Z0-9_]*)"'  # S3_BUCKET has a digit
    plain = set(re.findall(r"(?:env_(?:str|bool|int|list)|_limit)\(" + name, SETTINGS_SOURCE))
    secrets = dict(re.findall(r"env_secret\(" + name + "(, required=False)?", SETTINGS_SOURCE))
    return plain, secrets


def test_it_has_the_production_services():
    assert set(COMPOSE["services"]) == {
        *("migrate", "web", "worker", "beat", "db", "redis"),
        *("minio", "minio-init"),
        *("portal-proxy", "tor"),
    }


def test_only_the_one_shot_service_migrates():
    migrating = [
        s for s in APP_SERVICES if "manage.py migrate" in COMPOSE["services"][s]["command"]
    ]
    assert migrating == ["migrate"]
    for service in ["web", "worker", "beat"]:
        depends = COMPOSE["services"][service]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["db"]["condition"] == "service_healthy"


def test_the_web_healthcheck_passes_with_production_settings(client, db, settings):
    """Run the container's healthcheck request against production-like settings."""
    from ops.tasks import heartbeat

    heartbeat()  # the jobs are alive: /health/ is 200 only when everything is
    env = COMPOSE["services"]["web"]["environment"]
    settings.ALLOWED_HOSTS = ["corridor.example.org"]
    settings.SECURE_SSL_REDIRECT = env["SECURE_SSL_REDIRECT"] == "true"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    probe = COMPOSE["services"]["web"]["healthcheck"]["test"][-1]
    assert "'X-Forwarded-Proto': 'https'" in probe
    response = client.get(
        "/health/", HTTP_HOST="corridor.example.org", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 200
    plain = client.get("/health/", HTTP_HOST="corridor.example.org")
    assert plain.status_code == 200  # exempt from the https redirect


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_is_read_by_the_settings(service):
    plain, secrets = settings_reads()
    for name in COMPOSE["services"][service]["environment"]:
        base = name.removesuffix("_FILE")
        assert name in plain or base in secrets, f"{service}: {name} is not read by settings"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_required_secret_is_provided(service):
    _, secrets = settings_reads()
    env = COMPOSE["services"][service]["environment"]
    for name, optional in secrets.items():
        if not optional:
            assert name in env or f"{name}_FILE" in env, f"{service} lacks {name}"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_secret_file_is_mounted(service):
    spec = COMPOSE["services"][service]
    mounted = {f"/run/secrets/{name}" for name in spec["secrets"]}
    for name, value in spec["environment"].items():
        if name.endswith("_FILE"):
            assert value in mounted
            assert Path(value).name in COMPOSE["secrets"]


def commands(service):
    text = COMPOSE["services"][service]["command"]
    inner = shlex.split(text)
    if inner[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in inner[2].split("&&")]
    return [inner]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_command_exists_in_the_code(service, db):  # importing the wsgi app checks the keys
    import importlib

    for argv in commands(service):
        if argv[0] == "exec":
            argv = argv[1:]
        if argv[:2] == ["python", "manage.py"]:
            assert argv[2] in get_commands(), argv
        elif argv[0] == "gunicorn":
            module, _, attr = argv[1].partition(":")
            assert hasattr(importlib.import_module(module), attr or "application")
        elif argv[0] == "celery":
            assert argv[1] == "-A"
            app = importlib.import_module(argv[2]).celery_app
            assert argv[3] in ("worker", "beat")
            assert app.main == "corridor"
        else:
            pytest.fail(f"unknown command in {service}: {argv}")


def test_beat_schedules_only_tasks_that_exist():
    from django.conf import settings

    from config import celery_app

    celery_app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks


def test_the_image_holds_every_package_of_the_project():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in [*packages, "templates", "static", "locale"]:
        assert f"COPY {package} " in dockerfile
    from django.conf import settings

    own_apps = {app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()}
    assert own_apps <= set(packages)
    assert all(COMPOSE["services"][s]["build"] == "." for s in APP_SERVICES)


# --- The portal's onion service ------------------------------------------------------

TORRC = (ROOT / "deploy" / "tor" / "torrc").read_text()
PROXY_CONF = (ROOT / "deploy" / "tor" / "portal-proxy.conf.template").read_text()


def torrc(option: str) -> list[str]:
    return [line.split(None, 1)[1] for line in TORRC.splitlines() if line.startswith(option + " ")]


def test_tor_publishes_the_portal_proxy_and_keeps_its_keys_on_a_volume():
    tor, proxy = COMPOSE["services"]["tor"], COMPOSE["services"]["portal-proxy"]
    assert torrc("HiddenServiceDir") == ["/var/lib/tor/corridor/"]
    # Tor takes an address, never a service name, for the port's target.
    address = proxy["networks"]["onion"]["ipv4_address"]
    assert torrc("HiddenServicePort") == [f"80 {address}:8080"]
    assert "listen 8080;" in PROXY_CONF
    assert "onion_keys:/var/lib/tor" in tor["volumes"]
    assert "onion_keys" in COMPOSE["volumes"]
    assert torrc("SocksPort") == ["0"]


def test_the_onion_reaches_the_proxy_only_and_nothing_is_published():
    tor, proxy = COMPOSE["services"]["tor"], COMPOSE["services"]["portal-proxy"]
    assert "ports" not in tor and "ports" not in proxy
    assert COMPOSE["networks"]["onion"]["internal"] is True
    # Not on the app's network: tor cannot reach web, the database or Redis.
    assert set(tor["networks"]) == {"onion", "outside"}
    on_onion = {
        name for name, spec in COMPOSE["services"].items() if "onion" in spec.get("networks", {})
    }
    assert on_onion == {"tor", "portal-proxy"}


def test_the_proxy_passes_the_portal_and_its_stylesheet_and_nothing_else():
    import re as regex

    from django.conf import settings

    locations = regex.findall(r"location (\S+ )?(\S+) \{", PROXY_CONF)
    assert locations == [("^~ ", "${PORTAL_PATH}"), ("= ", "/static/app/app.css"), ("", "/")]
    assert "return 404;" in PROXY_CONF.split("location / {")[1]
    env = COMPOSE["services"]["portal-proxy"]["environment"]
    assert env["PORTAL_PATH"] == "${PORTAL_PATH:-/write/}"
    assert settings.PORTAL_PATH == "/write/"  # the same default as the settings'
    # Every static file a portal page loads is one the proxy passes.
    loaded = set()
    for page in (ROOT / "templates" / "portal").glob("*.html"):
        loaded |= set(regex.findall(r"{% static '([^']+)' %}", page.read_text()))
    assert loaded == {"app/app.css"}


def test_the_app_accepts_the_onion_s_host_and_its_forms():
    env = COMPOSE["x-app-environment"]
    assert env["DJANGO_ALLOWED_HOSTS"].endswith(",${CORRIDOR_ONION_HOST:-}")
    assert "http://${CORRIDOR_ONION_HOST:-" in env["DJANGO_CSRF_TRUSTED_ORIGINS"]
    assert "proxy_set_header X-Forwarded-Proto https;" in PROXY_CONF


# --- The evidence files' store (MinIO) ------------------------------------------------

BUCKET_DEFAULT = "${S3_BUCKET:-corridor-files}"


def minio_init_script() -> str:
    spec = COMPOSE["services"]["minio-init"]
    assert spec["entrypoint"] == ["/bin/sh", "-euc"]  # a step that fails stops it, and web
    (script,) = spec["command"]
    return script.replace("$$", "$")  # compose's escape for a literal $


def bucket_policy() -> dict:
    script = minio_init_script()
    body = script.split("<<POLICY\n", 1)[1].split("\nPOLICY\n", 1)[0]
    return json.loads(body.replace("$S3_BUCKET", "corridor-files"))


def test_minio_is_pinned_and_reachable_only_from_the_app():
    minio = COMPOSE["services"]["minio"]
    assert re.fullmatch(
        r"quay\.io/minio/minio:RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ", minio["image"]
    )
    assert re.fullmatch(
        r"quay\.io/minio/mc:RELEASE\.[0-9TZ-]+", COMPOSE["services"]["minio-init"]["image"]
    )
    assert minio["command"] == "server /data"
    assert "ports" not in minio and "expose" not in minio
    assert "ports" not in COMPOSE["services"]["minio-init"]
    # Its own network, with no way out; the app's containers and minio-init on it, nobody else.
    assert minio["networks"] == ["files"]
    assert COMPOSE["networks"]["files"]["internal"] is True
    on_files = {
        name for name, spec in COMPOSE["services"].items() if "files" in spec.get("networks", [])
    }
    assert on_files == {"minio", "minio-init", *APP_SERVICES}
    assert minio["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]


def test_minio_keeps_its_objects_on_a_volume_and_its_root_user_in_secrets():
    minio = COMPOSE["services"]["minio"]
    assert minio["volumes"] == ["minio_data:/data"]
    assert "minio_data" in COMPOSE["volumes"]
    env = minio["environment"]
    assert env["MINIO_ROOT_USER_FILE"] == "/run/secrets/minio_root_user"
    assert env["MINIO_ROOT_PASSWORD_FILE"] == "/run/secrets/minio_root_password"
    assert "MINIO_ROOT_USER" not in env and "MINIO_ROOT_PASSWORD" not in env  # no default
    assert set(minio["secrets"]) == {"minio_root_user", "minio_root_password"}
    for name in minio["secrets"]:
        assert COMPOSE["secrets"][name]["file"].startswith("${CORRIDOR_SECRETS_DIR:-./secrets}/")


def test_the_app_keeps_files_in_minio_with_keys_from_secrets():
    for service in APP_SERVICES:
        spec = COMPOSE["services"][service]
        env = spec["environment"]
        assert env["FILE_STORE"] == "s3"
        assert env["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert env["S3_BUCKET"] == BUCKET_DEFAULT
        assert env["S3_ACCESS_KEY_ID_FILE"] == "/run/secrets/s3_access_key_id"
        assert env["S3_SECRET_ACCESS_KEY_FILE"] == "/run/secrets/s3_secret_access_key"
        assert "S3_ACCESS_KEY_ID" not in env and "S3_SECRET_ACCESS_KEY" not in env
        # The app's own MinIO user, never the root one.
        assert not {"minio_root_user", "minio_root_password"} & set(spec["secrets"])


@pytest.mark.parametrize("service", ["web", "worker"])
def test_web_and_worker_read_the_file_keys_from_a_secret(service):
    spec = COMPOSE["services"][service]
    assert spec["environment"]["FILE_ENCRYPTION_KEYS_FILE"] == "/run/secrets/file_encryption_keys"
    assert "FILE_ENCRYPTION_KEYS" not in spec["environment"]
    assert "file_encryption_keys" in spec["secrets"]
    assert "file_encryption_keys" in COMPOSE["secrets"]


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_the_app_starts_once_the_bucket_exists(service):
    depends = COMPOSE["services"][service]["depends_on"]
    assert depends["minio-init"]["condition"] == "service_completed_successfully"
    init = COMPOSE["services"]["minio-init"]
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    assert init["restart"] == "no"


def test_minio_init_makes_the_bucket_the_app_uses():
    init = COMPOSE["services"]["minio-init"]
    assert init["environment"]["S3_BUCKET"] == BUCKET_DEFAULT  # the app's, above
    script = minio_init_script()
    assert 'mc mb --ignore-existing "store/$S3_BUCKET"' in script  # a second run passes
    assert 'mc anonymous set none "store/$S3_BUCKET"' in script
    # Credentials are read from the secrets inside the container, never written here.
    assert "/run/secrets/minio_root_password" in script
    assert set(init["secrets"]) == {
        *("minio_root_user", "minio_root_password"),
        *("s3_access_key_id", "s3_secret_access_key"),
    }


def test_the_app_s_minio_user_may_use_the_bucket_s_objects_and_nothing_else():
    script = minio_init_script()
    assert "mc admin policy create store corridor-files /tmp/corridor-files.json" in script
    assert 'mc admin user add store "$(cat /run/secrets/s3_access_key_id)"' in script
    assert (
        'mc admin policy attach store corridor-files --user "$(cat /run/secrets/s3_access_key_id)"'
        in script
    )
    statements = bucket_policy()["Statement"]
    allowed = {
        (action, resource)
        for statement in statements
        for action in statement["Action"]
        for resource in statement["Resource"]
    }
    assert all(statement["Effect"] == "Allow" for statement in statements)
    assert {resource for _, resource in allowed} == {
        "arn:aws:s3:::corridor-files",
        "arn:aws:s3:::corridor-files/*",
    }
    actions = {action for action, _ in allowed}
    assert not any("*" in action for action in actions)
    assert not any(action.startswith("admin:") for action in actions)
    # What django-storages asks of the store: HEAD and GET, PUT (in parts), DELETE, list.
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"} <= actions
    assert "s3:DeleteBucket" not in actions and "s3:PutBucketPolicy" not in actions


def test_the_settings_build_the_s3_store_from_compose_s_variables(tmp_path, monkeypatch):
    """config/settings.py, run with the app's variables from compose, stores in MinIO."""
    secrets = {"s3_access_key_id": "corridor-app", "s3_secret_access_key": "s3cret-" * 4}
    for name, value in secrets.items():
        (tmp_path / name).write_text(value + "\n")
    env = COMPOSE["services"]["web"]["environment"]
    for name in ("FILE_STORE", "S3_ENDPOINT_URL", "S3_BUCKET"):
        value = env[name]
        monkeypatch.setenv(name, "corridor-files" if value == BUCKET_DEFAULT else value)
    for name in ("S3_ACCESS_KEY_ID_FILE", "S3_SECRET_ACCESS_KEY_FILE"):
        monkeypatch.setenv(name, str(tmp_path / Path(env[name]).name))
    evidence = runpy.run_path(str(ROOT / "config" / "settings.py"))["STORAGES"]["evidence"]
    assert evidence["BACKEND"] == "storages.backends.s3.S3Storage"
    options = evidence["OPTIONS"]
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["bucket_name"] == "corridor-files"
    assert options["access_key"] == "corridor-app"
    assert options["secret_key"] == secrets["s3_secret_access_key"]
    assert options["addressing_style"] == "path"  # MinIO's bucket is in the path, not the host
    # No ACL sent: AWS refuses one on a bucket with ACLs disabled; minio-init makes it private.
    assert options["default_acl"] is None
    assert options["transfer_config"].use_threads is False  # one part in memory at a time
