"""Search tokens: keyed, per team, one a word, kept current with the alias, gone with the case."""

import hashlib
import hmac

import pytest
from django.conf import settings

from crypto.blind_index import blind_index
from intake import services
from intake.models import Case, SearchToken
from intake.search import index_case, word_token, words
from retention import services as retention
from tests.factories import TeamFactory
from tests.intake.search_helpers import indexed_case

pytestmark = pytest.mark.django_db


def form(**overrides):
    data = {
        "alias": "Ruslan Magomedov",
        "contact_channel": "telegram",
        "contact_handle": "@ruslan_m",
        "safe_contact": "",
        "region": "chechnya",
        "location": "",
        "threats": ["outing"],
        "needs": ["shelter"],
        "languages": ["ru"],
        "risk": 3,
        "narrative": "",
    }
    data.update(overrides)
    return data


def tokens_of(case) -> set[str]:
    return set(SearchToken.objects.filter(case=case).values_list("token", flat=True))


def test_a_token_is_the_keyed_hmac_of_team_and_word_under_a_key_of_its_own():
    key = ("search-word:" + settings.BLIND_INDEX_KEY).encode()
    expected = hmac.new(key, b"7:ruslan", hashlib.sha256).hexdigest()
    assert word_token(7, "ruslan") == expected


def test_it_is_domain_separated_from_the_handle_index():
    # The same bytes under the handle index's own key give another value, so
    # a token can never be matched against a handle's blind index.
    plain_key = settings.BLIND_INDEX_KEY.encode()
    assert word_token(7, "ruslan") != hmac.new(plain_key, b"7:ruslan", hashlib.sha256).hexdigest()
    assert word_token(7, "ruslan") != blind_index("ruslan")


def test_the_same_word_in_two_teams_gives_unrelated_tokens():
    assert word_token(1, "ruslan") != word_token(2, "ruslan")


def test_a_token_changes_with_the_key(settings):
    before = word_token(1, "ruslan")
    settings.BLIND_INDEX_KEY = "another-key-of-at-least-thirty-two-characters"
    assert word_token(1, "ruslan") != before


def test_recording_a_case_stores_one_token_per_distinct_word(caseworker, team_a):
    case = services.case_create(
        team=team_a, data=form(alias="Ruslan Магомедов Руслан"), by=caseworker
    )
    assert tokens_of(case) == {word_token(team_a.pk, "ruslan"), word_token(team_a.pk, "magomedov")}


def test_no_token_row_holds_a_word_or_a_prefix_of_one(caseworker, team_a):
    case = services.case_create(team=team_a, data=form(alias="Khadizhat"), by=caseworker)
    rows = list(SearchToken.objects.filter(case=case).values_list("token", flat=True))
    # One word, one row: no row for "k", "kh", "kha"... that a copy could be searched by.
    assert len(rows) == 1
    for row in rows:
        assert len(row) == 64 and set(row) <= set("0123456789abcdef")
    prefixes = {word_token(team_a.pk, "hadiZat"[:n]) for n in range(1, 7)}
    assert not prefixes & set(rows)


def test_changing_the_alias_replaces_its_tokens(caseworker, team_a):
    case = services.case_create(team=team_a, data=form(alias="Ruslan"), by=caseworker)
    services.case_update(case=case, data=form(alias="Yulia"), by=caseworker)
    assert tokens_of(case) == {word_token(team_a.pk, "yulia")}


def test_an_edit_that_keeps_the_alias_keeps_its_tokens(caseworker, team_a):
    case = services.case_create(team=team_a, data=form(alias="Ruslan"), by=caseworker)
    ids = set(SearchToken.objects.filter(case=case).values_list("pk", flat=True))
    services.case_update(case=case, data=form(alias="Ruslan", risk=4), by=caseworker)
    assert set(SearchToken.objects.filter(case=case).values_list("pk", flat=True)) == ids


def test_a_new_handle_gets_its_new_index(caseworker, team_a):
    case = services.case_create(team=team_a, data=form(contact_handle="@old"), by=caseworker)
    services.case_update(case=case, data=form(contact_handle="+7 900 000-00-01"), by=caseworker)
    case.refresh_from_db()
    assert case.handle_index == blind_index("89000000001")


def test_indexing_a_case_moved_to_another_team_puts_its_tokens_under_that_team(team_a):
    case = indexed_case(team_a, alias="Ruslan")
    other = TeamFactory(name="Team C")
    Case.objects.filter(pk=case.pk).update(team=other)
    case.refresh_from_db()
    index_case(case)
    assert tokens_of(case) == {word_token(other.pk, "ruslan")}


def test_indexing_twice_leaves_the_same_tokens(team_a):
    case = indexed_case(team_a, alias="Ruslan Magomedov")
    before = tokens_of(case)
    index_case(case)
    assert tokens_of(case) == before and len(before) == 2


@pytest.mark.parametrize("reason", [retention.FORGOTTEN, retention.CLOSED])
def test_a_purge_deletes_the_case_s_tokens(team_a, reason):
    gone = indexed_case(team_a, alias="Ruslan Magomedov")
    kept = indexed_case(team_a, alias="Ruslan")
    assert tokens_of(gone)
    assert retention.case_purge(case_id=gone.pk, reason=reason)
    assert not SearchToken.objects.filter(case_id=gone.pk).exists()
    assert tokens_of(kept) == {word_token(team_a.pk, "ruslan")}


def test_words_and_tokens_agree_with_what_a_search_computes(team_a):
    case = indexed_case(team_a, alias="Юлия Iuliia")
    assert tokens_of(case) == {word_token(team_a.pk, word) for word in words("Julia")}
