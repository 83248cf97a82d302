"""Measure evidence files: a 200 MB upload and download through gunicorn against Tink's
raw streaming AEAD, the web worker's memory meanwhile, and the purge of cases with
files against cases without. Prints one JSON object and a table (bench/README.md,
"Evidence files").

    .venv/bin/python bench/files.py [--out var/bench/files.json] [--mb 200] [--rounds 3]

It makes a var directory of its own (var/bench/files-var: its SQLite database, file
store and spool, deleted and made anew, and deleted after) and fresh keys for it:
nothing here is a timed test.
"""

import argparse
import base64
import hashlib
import http.client
import importlib.util
import io
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import BENCH_VAR, ROOT, signed_in_client

MiB = 1 << 20
VAR = BENCH_VAR / "files-var"
BIN = ROOT / ".venv" / "bin"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Where a kept upload redirects: the case page, at its files (or the new file).
CASE_PAGE = re.compile(r"/cases/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/(#[\w-]+)?")

# bench/portal.py's name is the portal app's, so its load measures are loaded by path.
_spec = importlib.util.spec_from_file_location("bench_portal", ROOT / "bench" / "portal.py")
bench_portal = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_portal)
machine_ticks, others_share = bench_portal.machine_ticks, bench_portal.others_share


def fresh_site() -> None:
    """A var directory, database and keys of this benchmark's own, migrated."""
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True, mode=0o700)

    def key() -> str:
        return base64.urlsafe_b64encode(os.urandom(32)).decode()

    os.environ.update(
        {
            "CORRIDOR_VAR_DIR": str(VAR),
            "DATABASE_URL": f"sqlite:///{VAR / 'corridor.sqlite3'}",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "LOG_LEVEL": "WARNING",
            "MAX_UPLOAD_MB": "256",
            "FILE_STORE": "filesystem",
            # Throwaway keys for a throwaway database: the development ones stay untouched.
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": key(),
            "BLIND_INDEX_KEY": secrets.token_hex(32),
            "CODENAME_KEY": secrets.token_hex(32),
            "FILE_ENCRYPTION_KEYS": key(),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


# --- What is sent: Russian text, as a caseworker's transcript would be ----------------

LINE = (
    "Задержали у подъезда, отвезли в отдел, телефон забрали; "
    "spoke to the lawyer on 12.03, he will call back. Соседи видели машину.\n"
)


def text_block() -> bytes:
    """One MiB of UTF-8 text, cut at a line's end and padded with ASCII to the byte."""
    line = LINE.encode()
    block = line * (MiB // len(line))
    return block + b"." * (MiB - len(block) - 1) + b"\n"


def text_chunks(size: int):
    """`size` bytes of text, a MiB at a time, each chunk numbered so none repeats."""
    block = text_block()
    for number in range(size // MiB):
        yield f"{number:09d} ".encode() + block[10:]
    if size % MiB:
        yield block[: size % MiB - 1] + b"\n"


def digest(chunks) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    for chunk in chunks:
        sha.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), size


# --- The baseline: the same library, same data, no web stack ------------------------


def raw_aead(size: int) -> dict:
    """Encrypt `size` bytes of the same text into the spool as the upload does (evidence.
    sealing.Sealer under a new data key), then decrypt it as a download does."""
    from evidence import keys, sealing
    from evidence.models import Copy

    handle = keys.new_data_key()
    start = time.perf_counter()
    sealer = sealing.Sealer(handle, reference="FBENCHRAW00000", copy=Copy.ORIGINAL)
    for chunk in text_chunks(size):
        sealer.write(chunk)
    path = sealer.finish()
    encrypt_s = time.perf_counter() - start
    stored = path.stat().st_size
    start = time.perf_counter()
    read = 0
    with open(path, "rb") as source:
        stream = sealing.decrypting(handle, source, reference="FBENCHRAW00000", copy=Copy.ORIGINAL)
        while chunk := stream.read(sealing.CHUNK):
            read += len(chunk)
        stream.close()
    decrypt_s = time.perf_counter() - start
    path.unlink()
    if read != size:
        raise SystemExit(f"raw decryption gave {read} bytes of {size}")
    return {
        "encrypt_mb_s": round(size / MiB / encrypt_s, 1),
        "decrypt_mb_s": round(size / MiB / decrypt_s, 1),
        "ciphertext_overhead": round(stored / size - 1, 5),
    }


def upload_stages(size: int) -> dict:
    """The upload's work on each byte, one stage at a time on the same text, in this
    process: what the handler does but Django's parser and the socket (bench/README.md)."""
    from evidence.content import TEXT, Scanner, TextChecker
    from evidence.uploads import SealingUploadHandler

    def rate(work) -> float:
        start = time.perf_counter()
        work()
        return round(size / MiB / (time.perf_counter() - start), 1)

    def sha256():
        sha = hashlib.sha256()
        for chunk in text_chunks(size):
            sha.update(chunk)

    def scan():
        scanner = Scanner(TEXT)
        for chunk in text_chunks(size):
            scanner.feed(chunk)
        if scanner.found is not None:
            raise SystemExit("the bench's text looks like a polyglot")

    def text_check():
        checker = TextChecker()
        for chunk in text_chunks(size):
            checker.feed(chunk)
        checker.finish()

    def handler():
        upload = SealingUploadHandler()
        upload.new_file("file", "transcript.txt", "application/octet-stream", size)
        position = 0
        for chunk in text_chunks(size):
            upload.receive_data_chunk(chunk, position)
            position += len(chunk)
        received = upload.file_complete(position)
        if received is None:
            raise SystemExit(f"the handler refused the bench's text: {upload.refusal}")
        received.discard()

    return {
        "sha256_mb_s": rate(sha256),
        "scan_mb_s": rate(scan),
        "text_check_mb_s": rate(text_check),
        "handler_mb_s": rate(handler),
    }


# --- The web stack: gunicorn, one sync worker ---------------------------------------


def start_server() -> tuple[subprocess.Popen, int, int]:
    from load import free_port, wait_until_up

    port = free_port()
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--timeout",
            "600",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    wait_until_up(f"http://127.0.0.1:{port}/health/")
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    if len(children) != 1:
        raise SystemExit(f"gunicorn has {len(children)} workers, not one")
    return server, port, int(children[0])


def memory_kb(pid: int) -> dict:
    status = Path(f"/proc/{pid}/status").read_text()
    return {k: int(v.split()[0]) for k, v in re.findall(r"^(Vm\w+):\s+(.+)$", status, re.M)}


def reset_peak(pid: int) -> bool:
    """Start the worker's high-water mark (VmHWM) again from its RSS now."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Watch:
    """The worker's RSS before a request, and its peak during it (VmHWM reset first)."""

    def __init__(self, pid: int):
        self.pid = pid

    def __enter__(self):
        self.reset = reset_peak(self.pid)
        self.before_kb = memory_kb(self.pid)["VmRSS"]
        return self

    def __exit__(self, *exc):
        after = memory_kb(self.pid)
        self.peak_kb, self.after_kb = after["VmHWM"], after["VmRSS"]

    def result(self) -> dict:
        return {
            "rss_before_mb": round(self.before_kb / 1024, 1),
            "peak_mb": round(self.peak_kb / 1024, 1),
            "rss_after_mb": round(self.after_kb / 1024, 1),
            "growth_mb": round((self.peak_kb - self.before_kb) / 1024, 1),
            "peak_reset": self.reset,  # False: the peak may be an earlier request's
        }


class Site:
    """A signed-in caseworker's browser, by hand: http.client, one connection a request."""

    def __init__(self, port: int, cookies: dict):
        self.port = port
        self.cookies = dict(cookies)

    def _connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def _headers(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def _keep_cookies(self, response) -> None:
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";")[0]

    def page(self, path: str) -> str:
        conn = self._connection()
        conn.request("GET", path, headers=self._headers())
        response = conn.getresponse()
        body = response.read().decode()
        conn.close()
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}")
        self._keep_cookies(response)
        return body

    def upload(self, case_reference: str, name: str, chunks, size: int) -> tuple[float, str]:
        """POST a file as the case page's form does, streamed from `chunks` (`size` bytes)."""
        token = CSRF_FIELD.search(self.page(f"/cases/{case_reference}/")).group(1)
        boundary = "corridorbench" + secrets.token_hex(12)

        def field(field_name: str, value: str) -> bytes:
            return (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"'
                f"\r\n\r\n{value}\r\n"
            ).encode()

        head = (
            field("csrfmiddlewaretoken", token)
            + field("description", "Transcript, measured")
            + field("note", "")
            + (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
        )
        tail = f"\r\n--{boundary}--\r\n".encode()

        def body():
            yield head
            yield from chunks
            yield tail

        headers = {
            **self._headers(),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
        }
        conn = self._connection()
        start = time.perf_counter()
        conn.request("POST", f"/cases/{case_reference}/files/", body=body(), headers=headers)
        response = conn.getresponse()
        response.read()
        seconds = time.perf_counter() - start
        conn.close()
        location = response.getheader("Location", "")
        if response.status != 302 or not CASE_PAGE.fullmatch(location):
            raise SystemExit(f"upload answered {response.status} {location}")
        return seconds, location

    def download(self, file_reference: str, *, verify: bool = False) -> dict:
        """GET the working copy, reading a MiB at a time."""
        conn = self._connection()
        start = time.perf_counter()
        conn.request("GET", f"/files/{file_reference}/", headers=self._headers())
        return self._read(conn, start, verify)

    def take_original(self, file_reference: str, *, verify: bool = False) -> dict:
        """POST the coordinator's form for the sealed original (a purpose given), read it."""
        path = f"/files/{file_reference}/original/"
        token = CSRF_FIELD.search(self.page(path)).group(1)
        form = f"csrfmiddlewaretoken={token}&purpose=litigation".encode()
        headers = {
            **self._headers(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(form)),
        }
        conn = self._connection()
        start = time.perf_counter()
        conn.request("POST", path, body=form, headers=headers)
        return self._read(conn, start, verify)

    @staticmethod
    def _read(conn, start: float, verify: bool) -> dict:
        """Read the body into one reused buffer: a client hashing as it reads would be
        slower than the server (SHA-256 here is about as fast as the download), so
        the hash is taken only when asked, on a download that is not timed."""
        response = conn.getresponse()
        sha, size = hashlib.sha256(), 0
        buffer = memoryview(bytearray(MiB))
        while got := response.readinto(buffer):
            size += got
            if verify:
                sha.update(buffer[:got])
        seconds = time.perf_counter() - start
        conn.close()
        return {
            "status": response.status,
            "seconds": seconds,
            "sha256": sha.hexdigest() if verify else None,
            "size": size,
        }


def newest_file(case):
    from evidence.models import EvidenceFile

    return EvidenceFile.objects.filter(case=case).order_by("-pk").first()


def web_round(site: Site, worker: int, case, size: int, expected_sha: str, *, verify: bool) -> dict:
    from django.db import connection

    with Watch(worker) as up:
        upload_s, _ = site.upload(case.reference, "transcript.txt", text_chunks(size), size)
    file = newest_file(case)
    connection.close()  # no read lock held while the worker writes
    if file.sha256 != expected_sha or file.original_size != size:
        raise SystemExit("the stored original's hash or size is not what was sent")
    if file.has_own_clean_copy:
        raise SystemExit("plain text got a working copy of its own: it was not streamed")
    result = {"upload_mb_s": round(size / MiB / upload_s, 1), "upload_memory": up.result()}
    # The working copy (evidence:download), then the sealed original (evidence:original):
    # for plain text the same object, so the same bytes through two views.
    for name, fetch in (("download", site.download), ("original", site.take_original)):
        with Watch(worker) as down:
            got = fetch(file.reference)
        if got["status"] != 200:
            result[f"{name}_error"] = f"HTTP {got['status']}"
            continue
        if got["size"] != size:
            raise SystemExit(f"{name}: {got['size']} bytes came back of {size}")
        result[f"{name}_mb_s"] = round(size / MiB / got["seconds"], 1)
        result[f"{name}_memory"] = down.result()
        if verify:
            if fetch(file.reference, verify=True)["sha256"] != expected_sha:
                raise SystemExit(f"{name}: what came back is not what was uploaded")
            result[f"{name}_verified"] = True
    return result


def noise_jpeg(target_mb: int) -> bytes:
    """A JPEG of about `target_mb` MB: random pixels, which JPEG cannot shrink."""
    from PIL import Image

    side = int((target_mb * MiB / 1.2) ** 0.5)  # about 1.2 bytes a pixel at quality 95
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=Image.Exif())
    return out.getvalue()


def jpeg_round(site: Site, worker: int, case, target_mb: int) -> dict:
    from django.db import connection

    data = noise_jpeg(target_mb)
    chunks = (data[i : i + MiB] for i in range(0, len(data), MiB))
    with Watch(worker) as up:
        upload_s, _ = site.upload(case.reference, "photo.jpg", chunks, len(data))
    file = newest_file(case)
    connection.close()
    if file.sha256 != hashlib.sha256(data).hexdigest() or not file.has_own_clean_copy:
        raise SystemExit("the JPEG was not kept as a sealed original and a cleaned copy")
    return {
        "size_mb": round(len(data) / MiB, 1),
        "upload_s": round(upload_s, 2),
        "upload_memory": up.result(),
    }


def warm_up(site: Site, case) -> None:
    """A small upload and download first: the worker imports and caches what it needs."""
    from django.db import connection

    size = 2 * MiB
    site.upload(case.reference, "warm.txt", text_chunks(size), size)
    file = newest_file(case)
    connection.close()
    site.download(file.reference)
    site.take_original(file.reference)


def people():
    from accounts.models import Role, Team, User

    team = Team.objects.create(name="Bench files team")
    # A coordinator: works the case as a caseworker does, and may take out the original.
    worker = User.objects.create(username="bench-files-coordinator", role=Role.COORDINATOR)
    worker.set_unusable_password()
    worker.save()
    worker.teams.add(team)
    case = new_case(team, "Upload")
    case.save()
    return team, worker, case


def new_case(team, alias: str, *, closed_at=None):
    from crypto.blind_index import blind_index
    from intake.choices import Channel, Region, Risk
    from intake.models import Case
    from intake.status import ClosureReason, Status

    handle = f"@bench_files_{secrets.token_hex(6)}"
    return Case(
        team=team,
        alias=alias,
        contact_channel=Channel.TELEGRAM,
        contact_handle=handle,
        handle_index=blind_index(handle),
        region=Region.CHECHNYA,
        risk=Risk.MEDIUM,
        needs=["shelter"],
        threats=["police_detention"],
        languages=["ru"],
        narrative="Measured.",
        **(
            {
                "status": Status.CLOSED,
                "closure_reason": ClosureReason.STABLE,
                "closed_at": closed_at,
                "created_at": closed_at,
            }
            if closed_at
            else {}
        ),
    )


# --- The purge ----------------------------------------------------------------------


def sealed_upload(data: bytes, name: str):
    """What the upload handler hands file_add: the original encrypted in the spool."""
    from evidence import keys
    from evidence.content import HEAD_BYTES, sniff
    from evidence.models import Copy, new_file_reference
    from evidence.sealing import Sealer
    from evidence.uploads import SealedUpload

    reference, handle = new_file_reference(), keys.new_data_key()
    sealer = Sealer(handle, reference=reference, copy=Copy.ORIGINAL)
    sealer.write(data)
    return SealedUpload(
        name=name,
        size=len(data),
        reference=reference,
        handle=handle,
        path=sealer.finish(),
        sha256=hashlib.sha256(data).hexdigest(),
        sniffed=sniff(data[:HEAD_BYTES]),
    )


def tiny_jpeg() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Bench camera"  # Make: something for the cleaning to remove
    out = io.BytesIO()
    Image.frombytes("RGB", (32, 32), os.urandom(32 * 32 * 3)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def expired_cases(team, worker, count: int, files: str) -> None:
    """`count` closed cases long past the policy, each with 3 files of kind `files`:
    "none", "text" (one object a file) or "jpeg" (a sealed original, a cleaned copy
    and its preview)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from evidence.services import file_add
    from intake.models import Case, Note

    long_ago = timezone.now() - timedelta(days=800)
    cases = Case.objects.bulk_create(
        [new_case(team, f"Purge {i}", closed_at=long_ago) for i in range(count)]
    )
    Note.objects.bulk_create(
        [Note(case=case, author=worker, body="Called back.") for case in cases for _ in range(3)]
    )
    if files == "none":
        return
    text = text_block()[: 16 * 1024 - 1] + b"\n"
    jpeg = tiny_jpeg()
    for case in cases:
        for n in range(3):
            data, name = (text, f"note-{n}.txt") if files == "text" else (jpeg, f"p{n}.jpg")
            file_add(
                case=case,
                upload=sealed_upload(data, name),
                description="",
                by=worker,
                max_pixels=settings.MAX_IMAGE_PIXELS,
            )


def purge_round(team, worker, count: int, files: str) -> dict:
    from django.db import connection

    from evidence import store
    from evidence.models import EvidenceFile
    from intake.models import Case
    from retention.services import purge_expired

    rows_before, objects_before = EvidenceFile.objects.count(), len(store.names())
    expired_cases(team, worker, count, files)
    rows, objects = EvidenceFile.objects.count(), len(store.names())
    # On disk, as files kept for months are: deleting a file still in the page
    # cache costs far less than deleting one written out (ext4 here).
    os.sync()
    # Outside any transaction block, as the hourly job runs it: each batch's
    # on_commit (the store's deletions) runs as that batch commits, inside the timing.
    if connection.in_atomic_block:
        raise SystemExit("the purge must run outside a transaction block")
    start = time.perf_counter()
    purged = sum(purge_expired().values())
    seconds = time.perf_counter() - start
    if purged != count or Case.objects.filter(status="closed").exists():
        raise SystemExit(f"purged {purged} of {count}")
    if EvidenceFile.objects.count() != rows_before or len(store.names()) != objects_before:
        raise SystemExit("files' rows or objects were left after the purge")
    return {
        "files": files,
        "cases": count,
        "file_rows": rows - rows_before,
        "objects": objects - objects_before,
        "seconds": round(seconds, 3),
        "cases_per_s": round(count / seconds, 1),
    }


# --- Report -------------------------------------------------------------------------


def median(values) -> float | None:
    values = list(values)
    return round(statistics.median(values), 1) if values else None


def summary(result: dict) -> dict:
    raw, web = result["raw"], result["web"]
    s = {
        "raw_encrypt_mb_s": median(r["encrypt_mb_s"] for r in raw),
        "raw_decrypt_mb_s": median(r["decrypt_mb_s"] for r in raw),
        **{
            key: median(r[key] for r in raw)
            for key in ("sha256_mb_s", "scan_mb_s", "text_check_mb_s", "handler_mb_s")
        },
        "upload_mb_s": median(r["upload_mb_s"] for r in web),
        "upload_growth_mb_max": max(r["upload_memory"]["growth_mb"] for r in web),
        "upload_over_raw": None,
    }
    s["upload_over_raw"] = round(s["upload_mb_s"] / s["raw_encrypt_mb_s"], 3)
    for name in ("download", "original"):
        done = [r for r in web if f"{name}_mb_s" in r]
        s[f"{name}_mb_s"] = median(r[f"{name}_mb_s"] for r in done)
        s[f"{name}_over_raw"] = (
            round(s[f"{name}_mb_s"] / s["raw_decrypt_mb_s"], 3) if done else None
        )
        s[f"{name}_growth_mb_max"] = max(
            (r[f"{name}_memory"]["growth_mb"] for r in done), default=None
        )
        s[f"{name}_errors"] = sorted({r[f"{name}_error"] for r in web if f"{name}_error" in r})
    for files in ("none", "text", "jpeg"):
        rounds = [r for r in result["purge"] if r["files"] == files]
        s[f"purge_{files}_cases_per_s"] = median(r["cases_per_s"] for r in rounds)
    return s


def table(result: dict) -> str:
    s = result["summary"]

    def ratio(value) -> str:
        return "–" if value is None else f"{value:.0%}"

    def served(name: str) -> str:
        if s[f"{name}_mb_s"] is None:
            return "failed: " + ", ".join(s[f"{name}_errors"])
        return f"{s[f'{name}_mb_s']} MB/s, {ratio(s[f'{name}_over_raw'])} of raw decrypt"

    rows = [
        ("machine reference (`machine_ref_ms`)", f"{result['machine_ref_ms']:.1f} ms"),
        (
            "load average before, after",
            f"{result['load_average_before']:.2f}, {result['load_average_after']:.2f}",
        ),
        ("machine used by other processes meanwhile", f"{result['others_cpu_share']:.0%}"),
        (
            f"raw Tink encrypt / decrypt, {result['mb']} MB (median)",
            f"{s['raw_encrypt_mb_s']} / {s['raw_decrypt_mb_s']} MB/s",
        ),
        (
            "stages alone: SHA-256, polyglot scan, text check, the whole handler",
            f"{s['sha256_mb_s']}, {s['scan_mb_s']}, {s['text_check_mb_s']}, "
            f"{s['handler_mb_s']} MB/s",
        ),
        (
            "upload through gunicorn",
            f"{s['upload_mb_s']} MB/s, {ratio(s['upload_over_raw'])} of raw encrypt",
        ),
        ("download of the working copy (evidence:download)", served("download")),
        ("download of the original (evidence:original)", served("original")),
        (
            "worker peak growth: upload, working copy, original (worst round)",
            f"{s['upload_growth_mb_max']}, {s['download_growth_mb_max']}, "
            f"{s['original_growth_mb_max']} MB",
        ),
    ]
    if "jpeg" in result:
        j = result["jpeg"]
        rows.append(
            (
                f"worker peak growth, {j['size_mb']} MB JPEG upload",
                f"{j['upload_memory']['growth_mb']} MB ({j['upload_s']} s)",
            )
        )

    def per_file(files: str) -> str:
        r = next(r for r in result["purge"] if r["files"] == files)
        return f"{r['objects'] / r['file_rows']:g}"

    rows += [
        (
            f"purge of {result['purge_cases']} cases without files",
            f"{s['purge_none_cases_per_s']} /s",
        ),
        (
            f"... with 3 text files a case ({per_file('text')} object each)",
            f"{s['purge_text_cases_per_s']} /s",
        ),
        (
            f"... with 3 JPEGs a case ({per_file('jpeg')} objects each)",
            f"{s['purge_jpeg_cases_per_s']} /s",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(BENCH_VAR / "files.json"))
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--jpeg-mb", type=int, default=40, help="0 skips the JPEG upload")
    parser.add_argument("--keep", action="store_true", help="keep var/bench/files-var")
    args = parser.parse_args()
    size = args.mb * MiB

    fresh_site()
    from django.conf import settings
    from django.db import connection
    from measure import measure_machine

    team, worker, case = people()
    session = signed_in_client(worker).cookies[settings.SESSION_COOKIE_NAME].value
    expected_sha, _ = digest(text_chunks(size))

    ticks = machine_ticks()
    result = {"load_average_before": os.getloadavg()[0], **measure_machine()}
    result.update({"mb": args.mb, "raw": [], "web": []})
    connection.close()
    server, port, worker_pid = start_server()
    try:
        site = Site(port, {settings.SESSION_COOKIE_NAME: session})
        warm_up(site, case)
        # Alternating, so that the machine's hour weighs on both alike.
        for turn in range(args.rounds):
            result["raw"].append({**raw_aead(size), **upload_stages(size)})
            # The first round also downloads both again, untimed, to compare hashes.
            result["web"].append(
                web_round(site, worker_pid, case, size, expected_sha, verify=turn == 0)
            )
        if args.jpeg_mb:
            result["jpeg"] = jpeg_round(site, worker_pid, case, args.jpeg_mb)
    finally:
        server.terminate()
        server.wait(timeout=30)

    result.update({"purge_cases": args.cases, "purge": []})
    for _ in range(args.rounds):
        for files in ("none", "text", "jpeg"):
            result["purge"].append(purge_round(team, worker, args.cases, files))
    result["load_average_after"] = os.getloadavg()[0]
    result["others_cpu_share"] = others_share(ticks)
    result["summary"] = summary(result)
    connection.close()
    if not args.keep:
        shutil.rmtree(VAR, ignore_errors=True)
    with open(args.out, "w") as out:
        json.dump(result, out, indent=2)
    print(json.dumps(result, indent=2))
    print(table(result))


if __name__ == "__main__":
    main()
