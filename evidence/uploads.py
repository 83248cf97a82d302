"""Receiving an upload: encrypted as it arrives, checked as it passes, never on disk in the clear.

Django's own upload handlers keep a large file in /tmp in the clear
(settings.FILE_UPLOAD_HANDLERS is empty for that reason). This one feeds
each chunk to the file's SHA-256, the checks of evidence/content/ and the
encrypting stream of the original, and counts it against MAX_UPLOAD_MB. A
file refused on the way is dropped, the rest of the body read and thrown
away, and the form comes back with the reason (`refusal`), what was typed
kept.
"""

import hashlib
import re

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser
from django.utils.translation import gettext_lazy as _

from evidence import keys
from evidence.content import HEAD_BYTES, Refused, Scanner, Sniffed, TextChecker, sniff
from evidence.models import NAME_MAX, Copy, new_file_reference
from evidence.sealing import CHUNK, Sealer

FIELD = "file"
# What a name may not hold: path separators, and anything not printable.
BAD_NAME = re.compile(r"[/\\\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def too_large() -> Refused:
    return Refused(
        "size",
        _("This file is larger than %(mb)s MB: larger files are not kept.")
        % {"mb": settings.MAX_UPLOAD_MB},
    )


class SealedUpload(UploadedFile):
    """The original, received and encrypted in the spool: what the form's file field gets."""

    def __init__(self, *, name, size, reference, handle, path, sha256, sniffed: Sniffed):
        super().__init__(file=None, name=name, content_type=sniffed.mime, size=size)
        self.reference = reference
        self.handle = handle
        self.path = path
        self.sha256 = sha256
        self.sniffed = sniffed

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class SealingUploadHandler(FileUploadHandler):
    chunk_size = CHUNK

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.MAX_UPLOAD_MB * 1024 * 1024
        self.refusal: Refused | None = None
        self.received: SealedUpload | None = None
        self.bad_name = False
        self._sealer: Sealer | None = None

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != FIELD or self._sealer is not None or self.received is not None:
            raise SkipFile  # one file an upload, in its own field
        if self.bad_name:
            self.refusal = Refused(
                "name",
                _(
                    "The file's name holds a path or invisible characters. "
                    "Rename the file and choose it again."
                ),
            )
            raise SkipFile
        self.reference = new_file_reference()
        self._handle = keys.new_data_key()
        self._sealer = Sealer(self._handle, reference=self.reference, copy=Copy.ORIGINAL)
        self._sha = hashlib.sha256()
        self._size = 0
        self._head = b""
        self._sniffed: Sniffed | None = None
        self._checks: list = []

    def _refuse(self, refusal: Refused) -> None:
        self.refusal = refusal
        self._sealer.discard()
        self._sealer = None
        raise SkipFile

    def _start_checks(self, head: bytes) -> None:
        try:
            self._sniffed = sniff(head)
        except Refused as exc:
            self._refuse(exc)
        self._checks = [Scanner(self._sniffed)]
        if self._sniffed.mime == "text/plain":
            self._checks.append(TextChecker())
        self._feed(head)

    def _feed(self, data: bytes) -> None:
        for check in self._checks:
            check.feed(data)

    def receive_data_chunk(self, raw_data, start):
        if self._sealer is None:
            return None
        self._size += len(raw_data)
        if self._size > self.limit:
            self._refuse(too_large())
        self._sha.update(raw_data)
        self._sealer.write(raw_data)
        if self._sniffed is not None:
            self._feed(raw_data)
        else:
            self._head += raw_data
            if len(self._head) >= HEAD_BYTES:
                head, self._head = self._head, b""
                self._start_checks(head)
        return None

    def file_complete(self, file_size):
        # Refusing here cannot skip the file (Django calls this outside its
        # SkipFile handling): the file is dropped by returning nothing.
        if self._sealer is None:
            return None
        try:
            if self._sniffed is None:
                self._start_checks(self._head)
            for check in self._checks:
                if isinstance(check, TextChecker):
                    check.finish()
                elif check.found is not None:
                    raise check.found
        except Refused as exc:
            self.refusal = exc
        except SkipFile:
            return None
        if self.refusal is not None:
            self._sealer.discard()
            self._sealer = None
            return None
        path = self._sealer.finish()
        self._sealer = None
        self.received = SealedUpload(
            name=self.file_name[:NAME_MAX],
            size=self._size,
            reference=self.reference,
            handle=self._handle,
            path=path,
            sha256=self._sha.hexdigest(),
            sniffed=self._sniffed,
        )
        return self.received

    def upload_interrupted(self):
        if self._sealer is not None:
            self._sealer.discard()
            self._sealer = None
        if self.received is not None:
            self.received.discard()


class _NameCheckingParser(MultiPartParser):
    """Django's parser, which strips a path from a file's name; here a name with one
    (or with invisible characters) is refused instead of quietly shortened."""

    def sanitize_file_name(self, file_name):
        raw = file_name
        cleaned = super().sanitize_file_name(file_name)
        if cleaned is None or BAD_NAME.search(raw) or cleaned != raw.strip():
            for handler in self._upload_handlers:
                if isinstance(handler, SealingUploadHandler):
                    handler.bad_name = True
            return cleaned or "-"
        return cleaned


def receive_with(request, handler: SealingUploadHandler) -> None:
    """Have `request` parse its body through `handler`: before anything reads POST."""
    request.upload_handlers = [handler]

    def parse_file_upload(META, post_data):
        parser = _NameCheckingParser(META, post_data, request.upload_handlers, request.encoding)
        return parser.parse()

    # HttpRequest looks the parser up on the instance when POST is first read.
    request.parse_file_upload = parse_file_upload


def handler_of(request) -> SealingUploadHandler | None:
    """The sealing handler the middleware gave this request, if it gave one."""
    for handler in request.upload_handlers:
        if isinstance(handler, SealingUploadHandler):
            return handler
    return None


def receive_bytes(name: str, data: bytes) -> SealedUpload:
    """A file received from bytes through the same handler and checks as an upload
    (demo data, commands); Refused if the handler would refuse it."""
    handler = SealingUploadHandler()
    handler.new_file(FIELD, name, "application/octet-stream", len(data), None)
    try:
        for start in range(0, max(len(data), 1), CHUNK):
            handler.receive_data_chunk(data[start : start + CHUNK], start)
    except SkipFile:
        pass
    received = handler.file_complete(len(data))
    if received is None:
        raise handler.refusal
    return received
