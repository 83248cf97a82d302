"""Generate the development secrets under var/secrets/ (never committed).

Runs before Django is configured, so it imports nothing from the project.
Existing files are kept: regenerating the encryption key would make the local
database unreadable.
"""

import base64
import os
import secrets
import sys
from pathlib import Path

SECRETS_DIR = Path(__file__).resolve().parent.parent / "var" / "secrets"


def fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


GENERATORS = {
    "django_secret_key": lambda: secrets.token_urlsafe(50),
    "field_encryption_keys": fernet_key,
    "blind_index_key": lambda: secrets.token_hex(32),
    "codename_key": lambda: secrets.token_hex(32),
    "file_encryption_keys": fernet_key,
    "demo_password": lambda: "-".join(secrets.token_hex(3) for _ in range(4)),
}


def main() -> int:
    SECRETS_DIR.mkdir(parents=True, exist_ok=True)
    os.chmod(SECRETS_DIR, 0o700)
    for name, generate in GENERATORS.items():
        path = SECRETS_DIR / name
        if path.exists():
            continue
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(generate() + "\n")
        print(f"generated {path.relative_to(SECRETS_DIR.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
