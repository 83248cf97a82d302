"""Typed readers for settings that come from the environment.

A malformed value stops start-up with ImproperlyConfigured rather than
running with a guess. A secret may also come from NAME_FILE (Docker and
systemd secrets), or, for the embedded default only, from the file that
`make` generates under var/secrets/.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DEV_SECRETS_DIR = Path(__file__).resolve().parent.parent / "var" / "secrets"

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str, *, required: bool = True) -> str:
    """Read a secret from NAME, NAME_FILE or var/secrets/<name>; refuse to start without it."""
    if os.environ.get(name):
        return os.environ[name].strip()
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc}") from None
    dev_file = DEV_SECRETS_DIR / name.lower()
    if dev_file.exists():
        return dev_file.read_text().strip()
    if not required:
        return ""
    raise ImproperlyConfigured(
        f"{name} is not set. Set {name} or {name}_FILE; for a local development "
        f"machine, `make secrets` generates one under var/secrets/."
    )
