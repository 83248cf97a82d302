"""The case list counts at most a thousand matches and says when there are more."""

from django.urls import reverse

from intake.pagination import CappedPaginator
from tests.factories import CaseFactory


def test_beyond_the_cap_the_list_asks_for_a_filter(client, caseworker, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    CaseFactory.create_batch(5, team=caseworker.teams.first())
    client.force_login(caseworker)
    page = client.get(reverse("intake:case_list")).content.decode()
    assert "More than 3 cases match" in page
    assert "5 cases" not in page


def test_under_the_cap_the_list_counts_exactly(client, caseworker, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    CaseFactory.create_batch(3, team=caseworker.teams.first())
    client.force_login(caseworker)
    page = client.get(reverse("intake:case_list")).content.decode()
    assert "3 cases" in page and "More than" not in page


def test_the_last_page_under_the_cap_can_be_opened(db, caseworker):
    CaseFactory.create_batch(7, team=caseworker.teams.first())
    paginator = CappedPaginator(caseworker.teams.first().cases.order_by("pk"), 2)
    paginator.cap = 5
    assert (paginator.count, paginator.num_pages, paginator.capped) == (5, 3, True)
    assert len(paginator.page(3)) == 1
