"""docker-compose.yml runs what the code has, with variables the settings read."""

import re
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
    plain = set(re.findall(r'(?:env_(?:str|bool|int|list)|_limit)\("([A-Z_]+)"', SETTINGS_SOURCE))
    secrets = dict(re.findall(r'env_secret\("([A-Z_]+)"(, required=False)?', SETTINGS_SOURCE))
    return plain, secrets


def test_it_has_the_production_services():
    assert set(COMPOSE["services"]) == {
        *("migrate", "web", "worker", "beat", "db", "redis"),
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
