import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter

from intake.models import Case


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/?role__exact=%00",
        "/admin/accounts/user/?q=x%00y",
        "/cases/?status=a%00",
        "/cases/?a%00=1",
        "/login/?next=/%00",
    ],
)
def test_a_null_byte_in_a_query_is_a_clear_400(client, admin_user, caseworker, path):
    client.force_login(admin_user if path.startswith("/admin") else caseworker)
    response = client.get(path)
    assert response.status_code == 400
    assert b"null character" in response.content


def test_a_null_byte_in_a_form_is_a_clear_400_and_stores_nothing(client, caseworker, team_a):
    client.force_login(caseworker)
    response = client.post(reverse("intake:case_create"), {"team": team_a.pk, "alias": "a\x00"})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_an_uploaded_file_is_dropped_unread(rf: RequestFactory):
    upload = SimpleUploadedFile("scan.jpg", b"JPEG-MARKER-BYTES")
    request = rf.post("/cases/", {"body": "note", "file": upload})
    assert request.POST["body"] == "note"
    assert not request.FILES


def test_error_reports_show_no_local_variables_or_posted_values(rf: RequestFactory, settings):
    settings.DEBUG = True
    request = rf.post("/cases/new/", {"alias": "REPORT-" + "MARKER"})

    def failing(data):
        raise RuntimeError("boom")

    try:
        failing({"alias": "LOCAL-" + "MARKER"})  # split: the report quotes source lines
    except RuntimeError:
        import sys

        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert "boom" in report
    assert "LOCAL-MARKER" not in report
    assert "REPORT-MARKER" not in report
