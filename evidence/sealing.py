"""Encrypting and decrypting a file as it streams, with Tink's streaming AEAD.

Each copy is bound to its file and to which copy it is (the associated
data): an original's object put in place of a working copy, or of another
file's, does not decrypt.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import tink
from tink import streaming_aead

from evidence import keys, store
from evidence.models import Copy

CHUNK = 1 << 20  # Tink's segment size: one read decrypts one segment


def associated_data(reference: str, copy: str) -> bytes:
    return f"corridor file:{reference}:{copy}".encode()


class Sealer:
    """Encrypts what is written into a spool file, under a file's data key."""

    def __init__(self, handle: tink.KeysetHandle, *, reference: str, copy: str):
        self.path: Path = store.new_spool_path()
        primitive = handle.primitive(streaming_aead.StreamingAead)
        # Tink closes the destination when the stream closes.
        self._stream = primitive.new_encrypting_stream(
            open(self.path, "wb"),  # noqa: SIM115
            associated_data(reference, copy),
        )

    def write(self, data: bytes) -> None:
        self._stream.write(data)

    def finish(self) -> Path:
        self._stream.close()
        # On the disk before its row can commit: a power cut must not leave a row
        # whose object never reached the disk (the store moves this very file).
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return self.path

    def discard(self) -> None:
        try:
            self._stream.close()
        finally:
            self.path.unlink(missing_ok=True)


def seal_bytes(handle: tink.KeysetHandle, data: bytes, *, reference: str, copy: str) -> Path:
    """A spooled ciphertext of `data` (a cleaned copy, already in memory)."""
    sealer = Sealer(handle, reference=reference, copy=copy)
    try:
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            sealer.write(view[start : start + CHUNK])
        return sealer.finish()
    except BaseException:
        sealer.discard()
        raise


def decrypting(handle: tink.KeysetHandle, source, *, reference: str, copy: str):
    primitive = handle.primitive(streaming_aead.StreamingAead)
    return primitive.new_decrypting_stream(source, associated_data(reference, copy))


def chunks(file, copy: str) -> Iterator[bytes]:
    """The plaintext of one copy of a file, a segment at a time.

    The data key is unwrapped and the first segment decrypted before this
    returns, so a wrong key or a damaged object fails before a response starts.
    """
    handle = keys.unwrap(file.wrapped_key, kid=file.key_id, bound_to=file.reference)
    source = store.open_object(file.object_name(copy))
    try:
        stream = decrypting(handle, source, reference=file.reference, copy=file.sealed_as(copy))
        first = stream.read(CHUNK)
    except BaseException:
        source.close()
        raise
    return _rest(stream, source, first)


def _rest(stream, source, first: bytes) -> Iterator[bytes]:
    try:
        chunk = first
        while chunk:
            yield chunk
            chunk = stream.read(CHUNK)
    finally:
        stream.close()
        source.close()


def read_all(file, copy: str) -> bytes:
    """A copy whole, for what needs it in memory (a preview, a dossier's PDF)."""
    return b"".join(chunks(file, copy))


def read_spooled(handle: tink.KeysetHandle, path: Path, *, reference: str) -> bytes:
    """An original just received, decrypted from the spool into memory to be cleaned
    (bounded by MAX_UPLOAD_MB: only the types that need cleaning come here)."""
    with open(path, "rb") as source:
        stream = decrypting(handle, source, reference=reference, copy=Copy.ORIGINAL)
        parts = []
        while chunk := stream.read(CHUNK):
            parts.append(chunk)
        return b"".join(parts)
