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
    """Read a secret from NAME, NAME_FILE or var/secrets/<name>; refuse to start without it.

    A secret that is set but empty (NAME= in an env file, an empty secret
    file) is a mistake, never a reason to fall back to another source.
    """
    if name in os.environ:
        return _not_empty(name, os.environ[name])
    path = os.environ.get(f"{name}_FILE")
    if path is not None:
        if not path.strip():
            raise ImproperlyConfigured(f"{name}_FILE is set but empty: name the file or unset it.")
        try:
            return _not_empty(f"{name}_FILE={path}", Path(path).read_text())
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc}") from None
    dev_file = DEV_SECRETS_DIR / name.lower()
    if dev_file.exists():
        return _not_empty(str(dev_file), dev_file.read_text())
    if not required:
        return ""
    raise ImproperlyConfigured(
        f"{name} is not set. Set {name} or {name}_FILE; for a local development "
        f"machine, `make secrets` generates one under var/secrets/."
    )


def _not_empty(source: str, value: str) -> str:
    if not value.strip():
        raise ImproperlyConfigured(f"{source} is set but empty: give it a value or unset it.")
    return value.strip()
