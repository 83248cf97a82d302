"""Statistics survive retention: every table is the same before and after a purge."""

import pytest

from intake.models import Case
from retention import services
from retention.models import RetiredCaseCount
from tests.concurrency import run_at_once
from tests.stats import history


@pytest.fixture
def past(team_a):
    return history.past(team_a)


def test_every_table_is_the_same_after_the_expired_cases_are_purged(past):
    before_raw, before = history.raw(), history.published()
    assert any("<5" in cells for rows in before.values() for cells in rows)
    purged = services.purge_expired()
    assert purged["closed"] > 5 and purged["stale_unverified"] > 3
    assert Case.objects.count() == len(past) - sum(purged.values())
    assert history.raw() == before_raw
    assert history.published() == before


def test_the_same_when_the_purge_runs_in_many_small_batches(past, settings):
    settings.CORRIDOR_RETENTION = {**settings.CORRIDOR_RETENTION, "BATCH_SIZE": 3}
    before = history.raw()
    services.purge_expired(limit=7)
    assert history.raw() == before
    services.purge_expired()
    assert history.raw() == before


def test_the_same_once_everything_is_purged(past):
    before_raw, before = history.raw(), history.published()
    services.purge_expired()
    Case.objects.update(legal_hold=False)
    for case in Case.objects.all():
        services.case_purge(case_id=case.pk, reason=services.FORGOTTEN)
    assert not Case.objects.exists()
    after_raw = history.raw()
    # The rest were forgotten, which is their outcome now; nothing else changes.
    for name in ("requests", "threats", "needs", "risk", "referrals", "milestones"):
        assert after_raw[name] == before_raw[name], name
    for slug in before:
        if slug != "outcomes":
            assert history.published()[slug] == before[slug], slug


def test_forgetting_a_person_changes_only_the_outcome_table(team_a):
    cases = [history.request(team=team_a, region="dagestan") for _ in range(6)]
    history.reach(cases[0], "sheltered", after_days=3)
    before_raw, before = history.raw(), history.published()
    services.case_purge(case_id=cases[0].pk, reason=services.FORGOTTEN, by=None, why="person_asked")
    after_raw, after = history.raw(), history.published()
    assert {k: v for k, v in after_raw.items() if k != "outcomes"} == {
        k: v for k, v in before_raw.items() if k != "outcomes"
    }
    assert before_raw["outcomes"] == {"unverified": 5, "in_progress": 1}
    assert after_raw["outcomes"] == {"unverified": 5, "forgotten": 1}
    assert {k: v for k, v in after.items() if k != "outcomes"} == {
        k: v for k, v in before.items() if k != "outcomes"
    }


def test_counters_from_before_risk_was_kept_show_as_not_recorded(db):
    RetiredCaseCount.objects.create(
        quarter="2024Q1", region="chechnya", dimension="case", value="", count=7
    )
    RetiredCaseCount.objects.create(
        quarter="2024Q1", region="chechnya", dimension="outcome", value="stable", count=7
    )
    risk = history.published()["risk"]
    assert risk[-2] == ["Not recorded (purged before risk was counted)", "7"]
    assert risk[-1] == ["Total", "7"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_purges_at_once_count_every_case_exactly_once(team_a):
    history.past(team_a, seed=3, size=40)
    before = history.raw()
    outcomes = run_at_once(lambda: services.purge_expired(), times=3)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sum(sum(o.values()) for o in outcomes) > 10
    assert history.raw() == before
