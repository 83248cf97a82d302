import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from intake.links import case_url
from intake.models import new_reference
from tests.factories import CaseFactory

# This module doubles as a URLconf that mounts the case pages elsewhere.
urlpatterns = [path("v2/cases/", include("intake.urls"))]


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


def test_it_gives_the_address_reverse_gives():
    for reference in [new_reference() for _ in range(20)]:
        assert case_url(reference) == reverse("intake:case_detail", args=[reference])


def test_it_follows_the_script_prefix(script_prefix):
    reference = new_reference()
    script_prefix("/corridor/")
    assert case_url(reference) == f"/corridor/cases/{reference}/"
    script_prefix("/")
    assert case_url(reference) == f"/cases/{reference}/"
    script_prefix("/0000-0000-0000/")  # the sample reference it resolves once
    assert case_url(reference) == f"/0000-0000-0000/cases/{reference}/"


def test_it_follows_the_urlconf():
    reference = new_reference()
    assert case_url(reference) == f"/cases/{reference}/"
    with override_settings(ROOT_URLCONF=__name__):
        assert case_url(reference) == f"/v2/cases/{reference}/"
    assert case_url(reference) == f"/cases/{reference}/"


@pytest.mark.parametrize(
    "reference", ["", "42", "abcd-efgh-ijkl", "AAAA-AAAA-AAAA/../admin", "<script>"]
)
def test_it_refuses_what_is_not_a_reference(reference):
    with pytest.raises(NoReverseMatch):
        case_url(reference)


@pytest.mark.django_db
def test_a_case_links_to_its_page():
    case = CaseFactory()
    assert case.page_url == f"/cases/{case.reference}/"
