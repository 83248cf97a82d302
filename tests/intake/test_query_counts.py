"""Pages cost the same number of queries however many cases, notes or referrals there are.

Counted, not timed: bench/ measures time.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CaseFactory, NoteFactory, PartnerFactory, ReferralFactory

LIST_MAX_QUERIES = 10


def queries(client, url) -> int:
    client.get(url)  # the first page of a session writes it once; count a later one
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("url", ["/cases/?sort=risk", "/cases/?need=shelter&sort=oldest"])
def test_the_case_list_costs_the_same_for_one_case_and_a_full_page(client, caseworker, url):
    client.force_login(caseworker)
    CaseFactory(team=caseworker.teams.first(), assignee=caseworker)
    one = queries(client, url)
    CaseFactory.create_batch(60, team=caseworker.teams.first(), assignee=caseworker)
    assert queries(client, url) == one <= LIST_MAX_QUERIES


def test_the_case_page_costs_the_same_however_much_hangs_off_it(client, caseworker):
    client.force_login(caseworker)
    team = caseworker.teams.first()
    small, large = CaseFactory.create_batch(2, team=team)
    NoteFactory(case=small, author=caseworker)
    NoteFactory.create_batch(15, case=large, author=caseworker)
    ReferralFactory.create_batch(3, case=large, partner=PartnerFactory(team=team))
    ReferralFactory(case=small, partner=PartnerFactory(team=team))
    url = reverse("intake:case_detail", args=[small.reference])
    assert queries(client, url) == queries(
        client, reverse("intake:case_detail", args=[large.reference])
    )


def test_recording_a_request_reads_the_users_teams_once(client, operator):
    client.force_login(operator)
    team = operator.teams.get()
    form = {"team": team.pk, "alias": "Heron", "contact_channel": "telegram", "risk": "2"}
    form.update(contact_handle="@query_count", region="chechnya")
    with CaptureQueriesContext(connection) as captured:
        assert client.post(reverse("intake:case_create"), form).status_code == 302
    reads = [q["sql"] for q in captured.captured_queries if '"accounts_team"' in q["sql"]]
    assert len(reads) == 1, reads
