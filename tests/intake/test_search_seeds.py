"""The seed commands insert cases in bulk, past case_create: they write the search tokens too."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from intake.models import Case, SearchToken
from intake.search import parse, search_cases, tokens_for
from intake.selectors import cases_visible_to
from ops.bench_data import NAMES

pytestmark = pytest.mark.django_db


def assert_every_case_indexed():
    cases = list(Case.objects.all())
    assert cases
    stored = {}
    for case_id, token in SearchToken.objects.values_list("case_id", "token"):
        stored.setdefault(case_id, set()).add(token)
    for case in cases:
        assert stored.get(case.pk) == set(tokens_for(case.team_id, case.alias)), case.alias


def test_seed_bench_writes_every_case_s_tokens_and_search_finds_across_alphabets():
    call_command("seed_bench", cases=60, stdout=StringIO())
    assert_every_case_indexed()
    user = User.objects.get(username="bench-t1-caseworker-1")
    latin_of = {cyrillic: latin for latin, cyrillic in NAMES}
    # The bench names come in both alphabets: the Latin spelling finds a Cyrillic one.
    case = next(case for case in cases_visible_to(user) if case.alias.split()[0] in latin_of)
    found = search_cases(user, parse(latin_of[case.alias.split()[0]]))
    assert case in found


@pytest.mark.parametrize("language", ["en", "ru"])
def test_seed_demo_cases_are_searchable(monkeypatch, language):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-passphrase-for-tests")
    call_command("seed_demo", cases=12, force=True, language=language, stdout=StringIO())
    assert_every_case_indexed()
    user = User.objects.get(username="caseworker")
    case = cases_visible_to(user).order_by("pk").first()
    assert list(search_cases(user, parse(case.alias))) == [case]
