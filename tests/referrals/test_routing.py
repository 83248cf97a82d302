"""Ranking on a hand-made set of partners."""

from datetime import timedelta

from django.utils import timezone

from referrals.models import Referral
from referrals.routing import rank_partners
from tests.factories import CaseFactory, PartnerFactory, ReferralFactory


def names(ranked):
    return [r.partner.name for r in ranked]


def make_case(**kwargs):
    return CaseFactory(region="dagestan", languages=["ru", "av"], **kwargs)


def test_it_ranks_by_region_language_and_capacity(db):
    case = make_case()
    PartnerFactory(name="Far", regions=["chechnya"], languages=["en"])
    PartnerFactory(name="Near", regions=["dagestan"], languages=["en"])
    PartnerFactory(name="Near and speaks", regions=["dagestan"], languages=["av"])
    PartnerFactory(
        name="Near, speaks, has room", regions=["dagestan"], languages=["ru"], capacity=3
    )
    assert names(rank_partners(case, "shelter")) == [
        "Near, speaks, has room",
        "Near and speaks",
        "Near",
        "Far",
    ]


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
    ReferralFactory(partner=busy).move_to("sent", by=None)
    ranked = rank_partners(case, "shelter")
    assert names(ranked) == ["B idle", "C idle", "A busy"]
    assert any("1 open referrals" in reason for _, reason in ranked[2].reasons)


def test_past_response_counts(db):
    case = make_case()
    prompt = PartnerFactory(name="Prompt")
    slow = PartnerFactory(name="Slow")
    now = timezone.now()
    for partner, late in ((prompt, False), (slow, True)):
        referral = ReferralFactory(partner=partner)
        referral.move_to("sent", by=None)
        Referral.objects.filter(pk=referral.pk).update(
            ack_due_at=now - timedelta(hours=1) if late else now + timedelta(hours=1)
        )
        referral.refresh_from_db()
        referral.move_to("acknowledged", by=None)
        referral.move_to("accepted", by=None)
        referral.move_to("completed", by=None)
    ranked = rank_partners(case, "shelter")
    assert names(ranked) == ["Prompt", "Slow"]
    reasons = dict((reason, points) for points, reason in ranked[1].reasons)
    assert reasons["acknowledged 0% in time"] == 0


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
    ReferralFactory(partner=partner).move_to("sent", by=None)
    (ranked,) = rank_partners(case, "shelter")
    assert (1.0, "no acknowledgements due yet") in ranked.reasons
