"""Files in a real browser, in Russian on a 360 px phone: a caseworker adds a photo,
sees its preview, downloads the copy without metadata; a refused file says why beside
the field and keeps the description; a coordinator takes out the sealed original."""

import io

import pytest
from PIL import Image

from accounts.models import Role
from audit.models import Action, AuditEvent
from evidence.models import EvidenceFile
from tests.e2e.conftest import shot
from tests.e2e.test_nothing_typed_is_lost import accessible, no_sideways_scroll, sign_in
from tests.factories import CaseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "files-ru-phone"
MARKER = "MARKER-PHONE-MODEL-E2E"


def photo() -> bytes:
    image = Image.new("RGB", (1200, 900), (180, 40, 40))
    exif = Image.Exif()
    exif[0x0110] = MARKER  # the camera model, as a phone writes it
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def desk():
    team = TeamFactory(name="Горячая линия")
    worker = UserFactory(username="files-e2e", role=Role.CASEWORKER, teams=[team], language="ru")
    boss = UserFactory(username="files-boss", role=Role.COORDINATOR, teams=[team], language="ru")
    return worker, boss, CaseFactory(team=team, alias="Марат")


def upload(page, *, name, data, mime, description):
    """Send the form as the page's script does: by fetch. The page it answers is put in
    place by script a moment after the response: the caller waits for what it expects."""
    page.set_input_files("input[name=file]", {"name": name, "mimeType": mime, "buffer": data})
    page.fill("input[name=description]", description)
    with page.expect_response(lambda r: r.url.endswith("/files/") and r.request.method == "POST"):
        page.click(".upload-form button[type=submit]")


def test_a_photo_is_added_previewed_and_downloaded_without_its_metadata(browser, live_server, desk):
    worker, boss, case = desk
    original = photo()
    page = sign_in(browser, live_server, worker)
    page.goto(f"/cases/{case.reference}/#files")
    assert page.locator("html").get_attribute("lang") == "ru"

    # A "photo" that is a web page: refused beside the field, the description kept.
    upload(
        page,
        name="photo.jpg",
        data=b"<html><script>x()</script>",
        mime="image/jpeg",
        description="Повестка",
    )
    refusal = page.locator(".upload-form .error[role=alert]")
    refusal.wait_for()  # the answer replaces the page by script, after the response
    assert refusal.count() == 1 and refusal.inner_text().strip()
    assert page.input_value("input[name=description]") == "Повестка"
    assert not EvidenceFile.objects.exists()
    shot(page, SHOTS, "1-refused")

    upload(page, name="IMG_0001.jpg", data=original, mime="image/jpeg", description="Повестка")
    file = EvidenceFile.objects.get()
    # The page opens again at the new file (the script reloads it there).
    page.locator(f"#file-{file.reference}").wait_for()
    assert page.evaluate("location.hash") == f"#file-{file.reference}"
    assert not page.locator(".upload-form .error").count()
    preview = page.locator(f"#file-{file.reference} img")
    preview.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=preview.element_handle()
    )
    assert page.evaluate("img => img.naturalWidth", preview.element_handle()) <= 720
    accessible(page)
    shot(page, SHOTS, "2-added")

    with page.expect_download() as download:
        page.locator(f"#file-{file.reference} .file-actions a").first.click()
    saved = open(download.value.path(), "rb").read()
    assert download.value.suggested_filename == f"corridor-{file.reference}.jpg"
    assert saved[:2] == b"\xff\xd8" and MARKER.encode() not in saved
    assert MARKER.encode() in original
    page.context.close()

    # The coordinator takes out the original, exactly as received, with a purpose.
    page = sign_in(browser, live_server, boss)
    page.goto(f"/cases/{case.reference}/#files")
    with page.expect_navigation():
        page.locator(f"#file-{file.reference} .file-actions a").nth(1).click()
    if "/confirm/" in page.url:  # the password, confirmed again
        page.fill("input[name=password]", "a long enough test passphrase")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    no_sideways_scroll(page)
    page.select_option("select[name=purpose]", "asylum")
    with page.expect_download() as download:
        page.click("main form button.primary")
    assert open(download.value.path(), "rb").read() == original
    taken = AuditEvent.objects.get(action=Action.FILE_ORIGINAL)
    assert taken.detail["purpose"] == "asylum" and taken.detail["sha256"] == file.sha256
    shot(page, SHOTS, "3-original")
    page.context.close()
