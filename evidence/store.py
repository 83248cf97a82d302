"""The file store: django-storages' "evidence" storage (settings.STORAGES), ciphertext only.

The file system (var/files) by default, any S3-compatible store in
production. An upload is encrypted into the spool (FILE_SPOOL_DIR) as it is
received, then handed to the store: moved on the same disk, uploaded in parts
to S3. Object names are random (`models.new_object_name`).
"""

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages


class StoreError(RuntimeError):
    """The store did not keep or delete an object."""


def store():
    return storages["evidence"]


def spool_dir() -> Path:
    path = Path(settings.FILE_SPOOL_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def new_spool_path() -> Path:
    fd, name = tempfile.mkstemp(dir=spool_dir(), prefix="in-")
    os.close(fd)
    return Path(name)


class _Spooled(File):
    """A spooled ciphertext; FileSystemStorage moves a file that names its path."""

    def temporary_file_path(self) -> str:
        return self.file.name


def tidy_spool(older_than_seconds: int = 3600) -> int:
    """Delete spool files an upload left behind (a worker killed mid-upload): ciphertext
    whose key was never stored, but nothing to keep. Returns how many."""
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in spool_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def put(name: str, path: Path) -> None:
    """Keep the spooled ciphertext at `path` as object `name`; the spool file is gone after."""
    try:
        with open(path, "rb") as f:
            saved = store().save(name, _Spooled(f, name=name))
    finally:
        path.unlink(missing_ok=True)
    if saved != name:  # a random name never collides; if it did, nothing may be overwritten
        store().delete(saved)
        raise StoreError(f"object {name} already existed")


def open_object(name: str):
    """The object for reading as it streams.

    django-storages' S3 file downloads the whole object into memory (or a
    temporary file) before the first read: on S3 the response body is read
    directly instead, a few MB at a time whatever the file's size.
    """
    backend = store()
    if hasattr(backend, "bucket"):  # storages.backends.s3.S3Storage
        return backend.bucket.Object(backend._normalize_name(name)).get()["Body"]
    return backend.open(name, "rb")


def exists(name: str) -> bool:
    return store().exists(name)


def delete(name: str) -> None:
    store().delete(name)


def names() -> set[str]:
    """Every object in the store (the spool is elsewhere)."""
    try:
        _, files = store().listdir("")
    except FileNotFoundError:  # the file system's folder, before the first file
        return set()
    return set(files)
