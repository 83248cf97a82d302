"""The file keys: a rotation re-wraps the data keys and re-encrypts no file; a wrapped
key belongs to its row and an object to its file and copy, and anything moved or
damaged fails loudly instead of serving other bytes."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.urls import reverse
from tink import TinkError

from audit.models import Action, AuditEvent
from crypto import keycheck
from evidence import keys, sealing
from evidence.keys import FileKeyError
from evidence.models import Copy, EvidenceFile
from tests.evidence import samples
from tests.evidence.conftest import TEXT, add_file, store_root, stored


def new_file_key() -> str:
    return Fernet.generate_key().decode()  # 32 url-safe base64 bytes, as a file key is


def download(client, file: EvidenceFile) -> bytes:
    response = client.get(reverse("evidence:download", args=[file.reference]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def contents(client, files) -> dict:
    """Both copies of each file as read from the store; the working copies downloaded."""
    found = {}
    for file in files:
        found[file.reference, "original"] = sealing.read_all(file, Copy.ORIGINAL)
        if file.has_own_clean_copy:
            found[file.reference, "clean"] = download(client, file)
    return found


@pytest.fixture
def three_files(case, caseworker):
    return [
        add_file(case, caseworker, samples.png(), name="scan.png"),
        add_file(case, caseworker, samples.pdf(), name="summons.pdf"),
        add_file(case, caseworker, TEXT, name="note.txt"),
    ]


def test_rotation_rewraps_every_data_key_and_reencrypts_no_file(
    client, settings, caseworker, three_files, capsys
):
    old = list(settings.FILE_ENCRYPTION_KEYS)
    client.force_login(caseworker)
    before = contents(client, three_files)
    assert len(before) == 5  # the text is its own working copy
    objects = stored()
    wrapped = {f.reference: bytes(f.wrapped_key) for f in three_files}
    assert {f.key_id for f in three_files} == {keys.key_id(old[0])}

    new = new_file_key()
    settings.FILE_ENCRYPTION_KEYS = [new, *old]
    call_command("rotate_encryption_keys")
    out = capsys.readouterr().out
    assert "3/3 file keys" in out and "re-wrapped 3 file keys" in out

    rotated = list(EvidenceFile.objects.order_by("pk"))
    assert {f.key_id for f in rotated} == {keys.key_id(new)}
    for file in rotated:
        assert bytes(file.wrapped_key) != wrapped[file.reference]
    assert stored() == objects  # the same objects, byte for byte: no file re-encrypted
    (event,) = AuditEvent.objects.filter(action=Action.KEY_ROTATION)
    assert event.detail["files"] == 3
    assert contents(client, rotated) == before

    # The old key retired: everything still opens, and the key check is content.
    settings.FILE_ENCRYPTION_KEYS = [new]
    assert keycheck.problem(force=True) is None
    assert contents(client, rotated) == before

    # A second run has nothing left to re-wrap.
    call_command("rotate_encryption_keys")
    assert "re-wrapped 0 file keys" in capsys.readouterr().out

    # And the old key alone opens nothing any more.
    settings.FILE_ENCRYPTION_KEYS = old
    with pytest.raises(FileKeyError):
        sealing.chunks(rotated[0], Copy.CLEAN)


def test_rotation_without_the_old_file_key_fails_loudly_and_changes_nothing(settings, three_files):
    wrapped = {f.pk: (bytes(f.wrapped_key), f.key_id) for f in three_files}
    settings.FILE_ENCRYPTION_KEYS = [new_file_key()]  # the old one dropped too early
    with pytest.raises(CommandError, match="FILE_ENCRYPTION_KEYS"):
        call_command("rotate_encryption_keys")
    after = {f.pk: (bytes(f.wrapped_key), f.key_id) for f in EvidenceFile.objects.all()}
    assert after == wrapped


def test_a_wrapped_key_moved_to_another_row_does_not_unwrap(client, caseworker, case):
    first = add_file(case, caseworker, samples.png(), name="a.png")
    second = add_file(case, caseworker, samples.png(mode="RGB"), name="b.png")
    # Both rows' keys open where they belong.
    keys.unwrap(second.wrapped_key, kid=second.key_id, bound_to=second.reference)
    EvidenceFile.objects.filter(pk=second.pk).update(
        wrapped_key=first.wrapped_key, key_id=first.key_id
    )
    moved = EvidenceFile.objects.get(pk=second.pk)
    with pytest.raises(FileKeyError, match="belongs to another file"):
        keys.unwrap(moved.wrapped_key, kid=moved.key_id, bound_to=moved.reference)
    client.force_login(caseworker)
    url = reverse("evidence:download", args=[moved.reference])
    with pytest.raises(FileKeyError):
        client.get(url)
    client.raise_request_exception = False
    assert client.get(url).status_code == 500  # loudly, never another file's bytes


def swap(source: str, target: str) -> None:
    (store_root() / target).write_bytes((store_root() / source).read_bytes())


def test_an_object_put_in_place_of_another_files_fails_to_decrypt(client, caseworker, case):
    first = add_file(case, caseworker, samples.png(), name="a.png")
    second = add_file(case, caseworker, samples.png(mode="RGB"), name="b.png")
    client.force_login(caseworker)
    first_bytes = download(client, first)
    swap(first.clean_object, second.clean_object)  # a clean, authentic object, of file A
    swap(first.preview_object, second.preview_object)
    for view in ("download", "preview"):
        url = reverse(f"evidence:{view}", args=[second.reference])
        with pytest.raises(TinkError):
            client.get(url)
    client.raise_request_exception = False
    response = client.get(reverse("evidence:download", args=[second.reference]))
    assert response.status_code == 500
    assert first_bytes not in response.content
    assert not hasattr(response, "streaming_content")  # it failed before a byte was sent


def test_a_files_original_put_in_place_of_its_working_copy_fails_to_decrypt(
    client, caseworker, case
):
    """Same file, same data key: the copy is bound too, so the sealed original,
    with its metadata, cannot be served as the copy without it."""
    file = add_file(case, caseworker, samples.jpeg(), name="photo.jpg")
    assert file.has_own_clean_copy
    swap(file.original_object, file.clean_object)
    client.force_login(caseworker)
    with pytest.raises(TinkError):
        client.get(reverse("evidence:download", args=[file.reference]))
    with pytest.raises(TinkError):
        sealing.chunks(EvidenceFile.objects.get(pk=file.pk), Copy.CLEAN)


def test_a_damaged_later_segment_stops_the_download_without_serving_it(
    client, caseworker, coordinator, case
):
    """Past the first segment the response has started: it breaks off, and what was sent
    before the damage is the file's own, authenticated segments."""
    content = (b"0123456789abcdef" * 65_536) * 3  # 3 MiB of text: three segments and more
    file = add_file(case, caseworker, content, name="long.txt")
    path = store_root() / file.original_object
    damaged = bytearray(path.read_bytes())
    # One bit in the third segment: the first read (a MiB) takes in the first two.
    damaged[(2 << 20) + (1 << 19)] ^= 0x01
    path.write_bytes(bytes(damaged))
    client.force_login(coordinator)
    url = reverse("evidence:original", args=[file.reference])
    response = client.post(url, {"purpose": "expert"})
    assert response.status_code == 200  # the first segment was sound
    received = io.BytesIO()
    with pytest.raises(TinkError):
        for chunk in response.streaming_content:
            received.write(chunk)
    sent = received.getvalue()
    assert 0 < len(sent) < len(content) == int(response["Content-Length"])
    assert content.startswith(sent)  # nothing of the damaged segment got out
