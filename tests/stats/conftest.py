"""Requests carrying marker strings, to prove no case data reaches a statistic."""

import pytest

from tests.factories import NoteFactory, PartnerFactory
from tests.stats import history

MARKERS = ["STATS-ALIAS", "@stats_handle", "STATS-NARRATIVE", "STATS-NOTE", "STATS-SUMMARY"]


@pytest.fixture
def marked(team_a):
    """Requests from completed quarters carrying marker strings in every case field."""
    partner = PartnerFactory(team=team_a, kind="shelter", name="STATS-PARTNER-NAME")
    cases = []
    for i in range(7):
        case = history.request(
            team=team_a,
            alias=f"STATS-ALIAS {i}",
            contact_handle=f"@stats_handle_{i}",
            narrative="STATS-NARRATIVE",
            location="STATS-LOCATION",
            region="chechnya" if i < 5 else "dagestan",
        )
        NoteFactory(case=case, body="STATS-NOTE")
        history.refer(case, partner)
        history.reach(case, "sheltered", after_days=i)
        cases.append(case)
    cases[0].referrals.update(summary="STATS-SUMMARY")
    return cases
