"""A seized phone warns the network: every linked case at once, and the cases whose
handle was in its contacts; other teams only as "check this case", and the user
learns nothing of them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEvent
from intake import services as intake_services
from intake.models import Case, CaseEvent
from network import services
from network.models import Cause, Exposure, Handled
from network.selectors import open_exposures_visible_to
from tests.factories import CaseFactory, UserFactory
from tests.network.conftest import make_link


def mark(client, case, contacts=None, **kwargs):
    data = {} if contacts is None else {"contacts": contacts}
    url = reverse("network:compromised_mark", args=[case.reference])
    return client.post(url, data, **kwargs)


def page(client, case):
    response = client.get(reverse("intake:case_detail", args=[case.reference]))
    assert response.status_code == 200
    return response.content.decode()


def said(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_marking_the_device_warns_every_linked_case_at_once(
    worker, caseworker, case, other, team_a
):
    third = CaseFactory(team=team_a)
    make_link(case, other)
    make_link(third, case)
    unlinked = CaseFactory(team=team_a)
    response = mark(worker, case)
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).device_compromised_at is not None
    warned = Exposure.objects.open().filter(source=case, cause=Cause.LINKED)
    assert {e.case for e in warned} == {other, third}
    assert {e.created_by for e in warned} == {caseworker}
    assert not unlinked.exposures.exists()
    assert set(
        CaseEvent.objects.filter(kind=CaseEvent.Kind.EXPOSED).values_list("case_id", "detail")
    ) == {(other.pk, "linked"), (third.pk, "linked")}
    assert "2 linked cases of your teams are warned." in said(response)


def test_the_warning_is_in_the_same_transaction_as_the_marking(worker, case, other, monkeypatch):
    make_link(case, other)

    def fail(*args, **kwargs):
        raise RuntimeError("the warning could not be written")

    monkeypatch.setattr(services, "_warn", fail)
    worker.raise_request_exception = False
    assert mark(worker, case).status_code == 500
    # Neither happened: a device marked but nobody warned would be the worst half.
    assert Case.objects.get(pk=case.pk).device_compromised_at is None
    assert not Exposure.objects.exists()


def test_marking_twice_warns_once(worker, case, other):
    make_link(case, other)
    mark(worker, case)
    mark(worker, case)
    assert Exposure.objects.filter(case=other).count() == 1
    assert CaseEvent.objects.filter(case=other, kind=CaseEvent.Kind.EXPOSED).count() == 1


def test_a_handled_warning_is_not_raised_again_by_marking_again(worker, caseworker, case, other):
    make_link(case, other)
    mark(worker, case)
    services.exposure_handle(exposure=Exposure.objects.get(), how=Handled.CHECKED_IN, by=caseworker)
    mark(worker, case)
    assert Exposure.objects.count() == 1 and not Exposure.objects.open().exists()


def test_a_new_seizure_after_a_new_channel_warns_again(worker, caseworker, case, other):
    make_link(case, other)
    mark(worker, case)
    services.exposure_handle(
        exposure=Exposure.objects.get(), how=Handled.NEW_CHANNEL, by=caseworker
    )
    intake_services.case_restore_channel(case=Case.objects.get(pk=case.pk), by=caseworker)
    mark(worker, case)
    assert Exposure.objects.count() == 2 and Exposure.objects.open().count() == 1


def test_the_database_keeps_one_open_warning_per_case_source_and_cause(case, other):
    from django.db import IntegrityError, transaction

    Exposure.objects.create(case=other, source=case, cause=Cause.LINKED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exposure.objects.create(case=other, source=case, cause=Cause.LINKED)
    Exposure.objects.create(case=other, cause=Cause.ELSEWHERE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exposure.objects.create(case=other, cause=Cause.ELSEWHERE)


def test_linking_to_a_case_whose_phone_was_taken_warns_the_new_link(
    worker, caseworker, case, other
):
    mark(worker, case)
    services.link_add(case=other, other=case, kind="friends", by=caseworker)
    exposure = Exposure.objects.get()
    assert (exposure.case, exposure.source, exposure.cause) == (other, case, Cause.LINKED)


def test_the_warning_is_at_the_top_of_the_linked_case_page(worker, case, other):
    make_link(case, other)
    mark(worker, case)
    text = page(worker, other)
    warning = text.index("had their phone taken: check in and move to a new channel")
    assert warning < text.index('id="facts"')
    assert case.reference in text[warning : text.index('id="facts"')]  # same team: named
    assert 'name="how"' in text


def test_the_timeline_says_why_the_case_was_warned(
    client, outsider, worker, case, other, foreign, committed
):
    make_link(case, other)
    with committed():
        mark(worker, case, foreign.contact_handle)
    assert "Warned: A linked person&#x27;s phone was taken" in page(worker, other)
    client.force_login(outsider)
    text = page(client, foreign)
    assert "Warned: Check this case: a contact may be exposed" in text
    assert "phone was taken" not in text


def test_a_source_of_a_team_the_reader_is_not_in_is_not_named(
    client, team_a, team_b, case, foreign, caseworker
):
    both = UserFactory(username="two-teams", role=Role.CASEWORKER, teams=[team_a, team_b])
    make_link(foreign, case)
    services.device_mark_compromised(case=foreign, by=both)
    client.force_login(caseworker)
    text = page(client, case)
    assert "had their phone taken" in text
    assert foreign.reference not in text and "Marker-Foreign" not in text


def test_staff_of_another_team_are_not_named_on_the_warned_case(team_b, case, foreign, committed):
    # A link across teams (made by someone in both); the phone is marked by
    # someone of team B only, whom team A's readers must not learn of: team A
    # gets another team's "check this case" (tests/network/test_exposure_task.py).
    make_link(foreign, case)
    theirs = UserFactory(username="b-only", role=Role.CASEWORKER, teams=[team_b])
    with committed():
        services.device_mark_compromised(case=foreign, by=theirs)
    exposure = Exposure.objects.get(case=case)
    assert exposure.created_by is None and exposure.source is None
    assert CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.EXPOSED).by is None
    assert CaseEvent.objects.get(case=foreign, kind=CaseEvent.Kind.DEVICE_COMPROMISED).by == theirs


def test_contacts_warn_the_cases_of_the_users_teams_whose_handle_they_hold(worker, case, team_a):
    phone = CaseFactory(team=team_a, contact_handle="8 (900) 123-45-67")
    telegram = CaseFactory(team=team_a, contact_handle="@Kite_Seen")
    untouched = CaseFactory(team=team_a, contact_handle="@not_in_the_phone")
    contacts = "+7 900 123 45 67\n\n  t.me/kite_seen  \nMum, @nobody_here\n"
    response = mark(worker, case, contacts)
    assert response.status_code == 302
    warned = Exposure.objects.filter(cause=Cause.CONTACTS)
    assert {e.case for e in warned} == {phone, telegram}
    assert {e.source for e in warned} == {case}
    assert not untouched.exposures.exists()
    assert "2 cases of your teams have a handle from these contacts and are warned." in said(
        response
    )


def test_a_name_and_a_number_on_one_line_are_each_tried(worker, case, team_a):
    mum = CaseFactory(team=team_a, contact_handle="+79001112233")
    mark(worker, case, "Mum; +7 900 111 22 33\n")
    assert Exposure.objects.get().case == mum


def test_the_seized_phones_own_case_is_not_warned_by_its_own_handle(worker, case):
    mark(worker, case, case.contact_handle)
    assert not Exposure.objects.exists()


def test_other_teams_cases_get_a_warning_that_names_nothing(
    worker, caseworker, case, foreign, settings, committed
):
    settings.CROSS_TEAM_EXPOSURE_WARNINGS = True
    with committed():
        response = mark(worker, case, foreign.contact_handle)
    exposure = Exposure.objects.get()
    assert (exposure.case, exposure.cause) == (foreign, Cause.ELSEWHERE)
    assert exposure.source is None and exposure.created_by is None
    event = CaseEvent.objects.get(case=foreign, kind=CaseEvent.Kind.EXPOSED)
    assert event.by is None and event.detail == "elsewhere"
    trail = AuditEvent.objects.get(object_ref=foreign.reference)
    assert trail.actor is None and trail.detail == {"exposure": "elsewhere"}
    # The user is told of their own teams only: none matched, and nothing else.
    assert "0 cases of your teams have a handle from these contacts and are warned." in said(
        response
    )


def test_the_user_learns_the_same_whether_another_team_matched_or_not(
    client, team_a, case, foreign, settings, committed
):
    settings.CROSS_TEAM_EXPOSURE_WARNINGS = True
    one = UserFactory(role=Role.CASEWORKER, teams=[team_a])
    client.force_login(one)
    second = CaseFactory(team=team_a)
    with committed():
        matched = mark(client, case, foreign.contact_handle, follow=True)
    unmatched = mark(client, second, "@nobody_anywhere", follow=True)
    assert Exposure.objects.filter(case=foreign).exists()
    assert matched.status_code == unmatched.status_code == 200
    told = [[str(m) for m in response.context["messages"]] for response in (matched, unmatched)]
    assert told[0] == told[1]
    assert len(told[0]) == 2  # the marking, and the count of the user's own cases
    # And the source case's page says nothing of it either.
    text = matched.content.decode()
    assert foreign.reference not in text and "elsewhere" not in text


def test_with_cross_team_warnings_off_other_teams_are_not_touched(
    worker, case, foreign, settings, committed
):
    settings.CROSS_TEAM_EXPOSURE_WARNINGS = False
    with committed():
        mark(worker, case, foreign.contact_handle)
    assert not Exposure.objects.exists()
    assert not CaseEvent.objects.filter(case=foreign).exists()


def test_another_teams_warning_says_only_check_this_case(
    client, outsider, case, foreign, committed
):
    with committed():
        services.device_mark_compromised(
            case=case,
            by=UserFactory(role=Role.CASEWORKER, teams=[case.team]),
            contacts=foreign.contact_handle,
        )
    client.force_login(outsider)
    text = page(client, foreign)
    assert "Check this case: a contact may be exposed." in text
    assert "had their phone taken" not in text
    assert case.reference not in text and case.alias not in text


def test_pasting_the_same_contacts_twice_warns_once(
    worker, case, other, foreign, settings, committed
):
    settings.CROSS_TEAM_EXPOSURE_WARNINGS = True
    contacts = f"{other.contact_handle}\n{foreign.contact_handle}"
    with committed():
        mark(worker, case, contacts)
    with committed():
        mark(worker, case, contacts)
    assert Exposure.objects.filter(case=other).count() == 1
    assert Exposure.objects.filter(case=foreign).count() == 1


def test_the_contacts_are_capped_in_lines_and_characters_with_the_text_kept(worker, case, other):
    too_many = "\n".join(f"@contact_{n}" for n in range(1001))
    response = mark(worker, case, too_many)
    assert response.status_code == 400
    text = response.content.decode()
    assert "That is 1,001 lines; at most 1,000 at a time." in text
    assert "@contact_1000" in text  # the form keeps what was pasted
    assert "error-summary" in text
    too_long = other.contact_handle + "\n" + "x" * 50_000
    response = mark(worker, case, too_long)
    assert response.status_code == 400
    assert "at most 50,000 at a time" in response.content.decode()
    # Refused means refused: not even the marking happened.
    assert Case.objects.get(pk=case.pk).device_compromised_at is None
    assert not Exposure.objects.exists()


def test_a_thousand_lines_are_accepted(worker, case, team_a):
    last = CaseFactory(team=team_a, contact_handle="@contact_999")
    contacts = "\n".join(f"@contact_{n}" for n in range(1000))
    assert mark(worker, case, contacts).status_code == 302
    assert Exposure.objects.get().case == last


def test_an_operator_may_not_mark_in_the_service_either(operator, case):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.device_mark_compromised(case=case, by=operator)
    assert Case.objects.get(pk=case.pk).device_compromised_at is None


def test_recording_what_was_done_closes_the_warning(worker, caseworker, case, other):
    make_link(case, other)
    mark(worker, case)
    exposure = Exposure.objects.get()
    url = reverse("network:exposure_handle", args=[other.reference])
    response = worker.post(url, {"exposure": exposure.pk, "how": "new_channel"})
    assert response.status_code == 302
    exposure.refresh_from_db()
    assert exposure.handled_at is not None
    assert (exposure.handled_by, exposure.handled_how) == (caseworker, "new_channel")
    text = page(worker, other)
    assert "had their phone taken" not in text
    assert "Exposure warning handled: Moved to a new channel" in text
    trail = AuditEvent.objects.filter(object_ref=other.reference, detail__has_key="handled")
    assert [e.detail for e in trail] == [{"exposure": exposure.pk, "handled": "new_channel"}]
    again = worker.post(url, {"exposure": exposure.pk, "how": "checked_in"})
    assert again.status_code == 302
    assert "already" in said(again)[0]
    exposure.refresh_from_db()
    assert exposure.handled_how == "new_channel"
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.EXPOSURE_HANDLED).count() == 1


def test_what_was_done_must_be_chosen(worker, case, other):
    exposure = Exposure.objects.create(case=other, source=case, cause=Cause.LINKED)
    url = reverse("network:exposure_handle", args=[other.reference])
    for how in ("", "everything_is_fine", "<script>"):
        response = worker.post(url, {"exposure": exposure.pk, "how": how})
        assert response.status_code == 400
        assert "error-summary" in response.content.decode()
    assert Exposure.objects.open().count() == 1


def test_a_warning_is_handled_only_on_its_own_case(worker, case, other, team_a):
    exposure = Exposure.objects.create(case=other, source=case, cause=Cause.LINKED)
    url = reverse("network:exposure_handle", args=[case.reference])
    assert worker.post(url, {"exposure": exposure.pk, "how": "checked_in"}).status_code == 404
    assert worker.post(url, {"exposure": "x", "how": "checked_in"}).status_code == 404
    assert Exposure.objects.open().count() == 1


def test_open_exposures_visible_to_lists_what_the_user_may_see_newest_first(
    caseworker, outsider, case, other, foreign, team_a
):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    old = Exposure.objects.create(
        case=other, source=case, cause=Cause.LINKED, created_at=now - timedelta(hours=2)
    )
    new = Exposure.objects.create(case=case, cause=Cause.ELSEWHERE, created_at=now)
    handled = Exposure.objects.create(
        case=CaseFactory(team=team_a), source=case, cause=Cause.LINKED, handled_at=now
    )
    theirs = Exposure.objects.create(case=foreign, source=case, cause=Cause.CONTACTS)
    rows = list(open_exposures_visible_to(caseworker))
    assert rows == [new, old]
    assert handled not in rows and theirs not in rows
    assert [row.source_visible for row in rows] == [None, True]
    assert rows[1].case.alias == "Marker-Other"
    outsiders = list(open_exposures_visible_to(outsider))
    assert outsiders == [theirs]
    assert not outsiders[0].source_visible  # team A's case, which team B may not see


def test_open_exposures_visible_to_costs_one_query_however_many(caseworker, case, team_a):
    for _ in range(5):
        Exposure.objects.create(case=CaseFactory(team=team_a), source=case, cause=Cause.LINKED)
    with CaptureQueriesContext(connection) as captured:
        rows = list(open_exposures_visible_to(caseworker))
        shown = [(r.case.reference, r.case.alias, r.source.reference, r.cause) for r in rows]
    assert len(shown) == 5
    assert len(captured.captured_queries) == 2  # the user's teams, then the rows


def test_nobody_without_case_pages_sees_any_exposure(partner, auditor, case, other):
    Exposure.objects.create(case=other, source=case, cause=Cause.LINKED)
    assert not open_exposures_visible_to(partner).exists()
    assert not open_exposures_visible_to(auditor).exists()
