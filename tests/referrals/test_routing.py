"""Ranking on a hand-made set of partners."""

from datetime import timedelta

from django.utils import timezone

from referrals.models import Referral
from referrals.routing import rank_partners
from referrals.services import referral_move
from tests.factories import CaseFactory, PartnerFactory, ReferralFactory


def names(ranked):
    return [r.partner.name for r in ranked]


def make_case(**kwargs):
    return CaseFactory(region="dagestan", languages=["ru", "av"], **kwargs)


def test_it_ranks_by_region_country_and_language(db):
    case = make_case()  # Dagestan, so Russia; speaks Russian and Avar
    PartnerFactory(name="Far", regions=["chechnya"], countries=["GE"], languages=["en"])
    PartnerFactory(name="In the country", regions=[], countries=["RU"], languages=["en"])
    PartnerFactory(name="Near and speaks", regions=["dagestan"], countries=[], languages=["av"])
    assert names(rank_partners(case, "shelter")) == ["Near and speaks", "In the country", "Far"]


def test_a_partner_abroad_counts_for_a_case_from_its_country(db):
    case = CaseFactory(region="azerbaijan", languages=["az"])
    PartnerFactory(name="Baku help", regions=[], countries=["AZ"], languages=[])
    PartnerFactory(name="Canada help", regions=[], countries=["CA"], languages=[])
    ranked = rank_partners(case, "shelter")
    assert names(ranked) == ["Baku help", "Canada help"]
    assert (3.0, "works in the person's country") in ranked[0].reasons


def test_uncounted_places_rank_like_free_ones(db):
    case = make_case()
    PartnerFactory(name="B one bed", capacity=1)
    PartnerFactory(name="A no limit", capacity=None)
    ranked = rank_partners(case, "shelter")
    assert names(ranked) == ["A no limit", "B one bed"]
    assert ranked[0].score == ranked[1].score


def test_it_leaves_out_inactive_partners_and_other_services(db):
    case = make_case()
    PartnerFactory(name="Closed", active=False)
    PartnerFactory(name="Lawyers", services=["legal"])
    PartnerFactory(name="Open")
    assert names(rank_partners(case, "shelter")) == ["Open"]


def test_a_full_partner_comes_last_and_says_why(db):
    case = make_case()
    PartnerFactory(name="Best but full", regions=["dagestan"], languages=["ru"], capacity=0)
    PartnerFactory(name="Plain", regions=["chechnya"], languages=["en"])
    ranked = rank_partners(case, "shelter")
    assert names(ranked) == ["Plain", "Best but full"]
    assert not ranked[1].available
    assert (0, "no free places") in ranked[1].reasons


def test_ties_go_to_the_less_loaded_then_by_name(db):
    case = make_case()
    busy = PartnerFactory(name="A busy")
    PartnerFactory(name="B idle")
    PartnerFactory(name="C idle")
    # One open referral: a small penalty, but the same score otherwise.
    referral_move(referral=ReferralFactory(partner=busy), to="sent", by=None)
    ranked = rank_partners(case, "shelter")
    assert names(ranked) == ["B idle", "C idle", "A busy"]
    assert any(reason == "1 open referral" for _, reason in ranked[2].reasons)


def test_past_response_counts(db):
    case = make_case()
    prompt = PartnerFactory(name="Prompt")
    slow = PartnerFactory(name="Slow")
    now = timezone.now()
    for partner, late in ((prompt, False), (slow, True)):
        referral = ReferralFactory(partner=partner)
        referral_move(referral=referral, to="sent", by=None)
        Referral.objects.filter(pk=referral.pk).update(
            ack_due_at=now - timedelta(hours=1) if late else now + timedelta(hours=1)
        )
        referral.refresh_from_db()
        referral_move(referral=referral, to="acknowledged", by=None)
        referral_move(referral=referral, to="accepted", by=None)
        referral_move(referral=referral, to="completed", by=None)
    ranked = rank_partners(case, "shelter")
    assert names(ranked) == ["Prompt", "Slow"]
    reasons = dict((reason, points) for points, reason in ranked[1].reasons)
    assert reasons["answered 0% in time"] == 0


def test_every_point_has_a_reason(db):
    case = make_case()
    PartnerFactory(regions=["dagestan"], languages=["ru"], capacity=2)
    (ranked,) = rank_partners(case, "shelter")
    assert round(sum(points for points, _ in ranked.reasons), 2) == round(ranked.score, 2)


def test_the_route_page_explains_the_ranking(client, caseworker, team_a):
    case = make_case(team=team_a)
    PartnerFactory(name="Shelter North", regions=["dagestan"], capacity=4)
    client.force_login(caseworker)
    from django.urls import reverse

    response = client.get(reverse("referrals:route", args=[case.reference]), {"service": "shelter"})
    content = response.content.decode()
    assert "Shelter North" in content
    assert "serves the person&#x27;s region" in content
    assert "has 4 free places" in content


def test_a_referral_still_within_its_deadline_is_not_counted_late(db):
    case = make_case()
    partner = PartnerFactory(name="Fresh")
    referral_move(referral=ReferralFactory(partner=partner), to="sent", by=None)
    (ranked,) = rank_partners(case, "shelter")
    assert (1.0, "no acknowledgements due yet") in ranked.reasons


def test_a_prompt_decline_is_an_answer_in_time(db):
    case = make_case()
    partner = PartnerFactory(name="Prompt decliner")
    referral = ReferralFactory(partner=partner)
    referral_move(referral=referral, to="sent", by=None)
    referral_move(referral=referral, to="declined", by=None, note="full")
    now = timezone.now()  # move the deadline into the past, after the answer
    Referral.objects.filter(pk=referral.pk).update(
        responded_at=now - timedelta(hours=2), ack_due_at=now - timedelta(hours=1)
    )
    (ranked,) = rank_partners(case, "shelter")
    assert (2.0, "answered 100% in time") in ranked.reasons


def test_a_referral_withdrawn_before_its_deadline_was_never_due(db):
    case = make_case()
    partner = PartnerFactory(name="Never asked")
    referral = ReferralFactory(partner=partner)
    referral_move(referral=referral, to="sent", by=None)
    referral_move(referral=referral, to="withdrawn", by=None)
    now = timezone.now()  # the deadline passed after the withdrawal
    Referral.objects.filter(pk=referral.pk).update(
        closed_at=now - timedelta(hours=2), ack_due_at=now - timedelta(hours=1)
    )
    (ranked,) = rank_partners(case, "shelter")
    assert (1.0, "no acknowledgements due yet") in ranked.reasons
