"""The search selector: each kind of match, only the user's teams, one fixed set of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Case, MergedReference
from intake.search import parse, search_cases
from intake.selectors import team_ids
from tests.intake.search_helpers import indexed_case

pytestmark = pytest.mark.django_db


def found(user, text) -> set[str]:
    return set(search_cases(user, parse(text)).values_list("reference", flat=True))


@pytest.fixture
def ruslan(team_a):
    return indexed_case(
        team_a,
        alias="Ruslan Magomedov",
        contact_handle="+7 900 123-45-67",
        reference="AB01-CD23-EF45",
    )


@pytest.fixture
def khadizhat(team_a):
    return indexed_case(team_a, alias="Хадижат", contact_handle="@khadi_j")


@pytest.fixture
def elsewhere(team_b):
    """Team B's case: the same name, the same handle, a reference of its own."""
    return indexed_case(
        team_b, alias="Ruslan Magomedov", contact_handle="@khadi_j", reference="ZZ99-YY88-XX77"
    )


@pytest.mark.parametrize("text", ["Ruslan", "ruslan", "РУСЛАН", "Руслан", "magomedov"])
def test_it_finds_a_case_by_any_word_of_its_alias_in_either_alphabet(caseworker, ruslan, text):
    assert found(caseworker, text) == {ruslan.reference}


def test_it_finds_a_name_recorded_in_cyrillic_by_its_latin_spellings(caseworker, khadizhat):
    for text in ["Khadizhat", "Hadizhat", "хадижат"]:
        assert found(caseworker, text) == {khadizhat.reference}


def test_every_word_must_be_in_the_alias(caseworker, ruslan, team_a):
    other = indexed_case(team_a, alias="Ruslan Ivanov")
    assert found(caseworker, "Ruslan") == {ruslan.reference, other.reference}
    assert found(caseworker, "Руслан Магомедов") == {ruslan.reference}
    assert found(caseworker, "Magomedov Ruslan") == {ruslan.reference}
    assert found(caseworker, "Ruslan Petrov") == set()


def test_a_part_of_a_word_finds_nothing(caseworker, ruslan):
    # No prefix tokens: "Rus" is not a word of the alias.
    assert found(caseworker, "Rus") == set()
    assert found(caseworker, "Magomed") == set()


@pytest.mark.parametrize(
    "text", ["AB01-CD23-EF45", "ab01cd23ef45", "AB01 CD23 EF45", "abo1-cd23-ef45", "ABOI CD23 EF45"]
)
def test_it_finds_a_case_by_its_reference_with_or_without_dashes(caseworker, ruslan, text):
    # O and I/L are read as 0 and 1: the reference alphabet has none of them.
    assert found(caseworker, text) == {ruslan.reference}


def test_a_merged_reference_leads_to_the_case_it_was_merged_into(caseworker, ruslan):
    MergedReference.objects.create(reference="QQ11-RR22-SS33", case=ruslan)
    assert found(caseworker, "qq11rr22ss33") == {ruslan.reference}


@pytest.mark.parametrize(
    "text", ["+7 900 123-45-67", "89001234567", "+79001234567", "8 (900) 123 45 67"]
)
def test_it_finds_a_case_by_its_phone_number_in_any_usual_form(caseworker, ruslan, text):
    assert found(caseworker, text) == {ruslan.reference}


@pytest.mark.parametrize("text", ["@khadi_j", "khadi_j", "@KHADI_J", "t.me/khadi_j"])
def test_it_finds_a_case_by_its_handle_in_any_usual_form(caseworker, khadizhat, text):
    assert found(caseworker, text) == {khadizhat.reference}


@pytest.mark.parametrize(
    "text", ["Ruslan", "Magomedov", "@khadi_j", "ZZ99-YY88-XX77", "zz99yy88xx77"]
)
def test_it_never_finds_another_team_s_case(caseworker, ruslan, khadizhat, elsewhere, text):
    assert elsewhere.reference not in found(caseworker, text)


def test_another_team_s_merged_reference_leads_nowhere(caseworker, outsider, ruslan):
    MergedReference.objects.create(reference="QQ11-RR22-SS33", case=ruslan)
    assert found(outsider, "QQ11-RR22-SS33") == set()
    assert found(outsider, ruslan.reference) == set()
    assert found(outsider, "+7 900 123-45-67") == set()


def test_the_other_team_finds_its_own_case_with_the_same_words(outsider, ruslan, elsewhere):
    assert found(outsider, "Ruslan Magomedov") == {elsewhere.reference}


@pytest.mark.parametrize("persona", ["partner", "auditor", "admin_user"])
def test_people_without_case_pages_find_nothing(request, ruslan, persona):
    user = request.getfixturevalue(persona)
    assert found(user, "Ruslan") == set()
    assert found(user, ruslan.reference) == set()


def test_a_search_of_nothing_searchable_finds_nothing(caseworker, ruslan):
    assert found(caseworker, "\u200b") == set()


def test_a_user_of_two_teams_finds_in_both(caseworker, ruslan, elsewhere, team_b):
    caseworker.teams.add(team_b)
    assert found(caseworker, "Ruslan Magomedov") == {ruslan.reference, elsewhere.reference}


def queries_of(user, text) -> int:
    with CaptureQueriesContext(connection) as captured:
        list(search_cases(user, parse(text)).order_by("-risk")[:50])
    return len(captured.captured_queries)


def test_one_query_whatever_it_matches_or_how_many(caseworker, team_a, ruslan):
    team_ids(caseworker)  # the user's teams, read once per request by the list anyway
    few = {
        text: queries_of(caseworker, text) for text in ["Ruslan", ruslan.reference, "@x", "a b c"]
    }
    for _ in range(30):
        indexed_case(team_a, alias="Ruslan Magomedov")
    many = {text: queries_of(caseworker, text) for text in few}
    assert set(few.values()) == {1} and many == few
    assert Case.objects.count() == 31
