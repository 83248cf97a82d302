"""A case moves to another team: at once for a coordinator of both, else asked and
accepted, refused or withdrawn; what moves with it, who is told, what the trail keeps."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from evacuations import services as evacuations
from intake import search, transfers
from intake.models import Case, CaseEvent, CheckIn, Note, SearchToken, Transfer
from intake.transfers import TransferError
from reminders import services as reminders
from reminders.models import Kind, Notification
from tests.concurrency import run_at_once
from tests.factories import CaseFactory, ReferralFactory, TeamFactory, UserFactory

HOUR = timedelta(hours=1)


@pytest.fixture
def both(team_a, team_b):
    """A coordinator of team A and of team B."""
    return UserFactory(username="both", role=Role.COORDINATOR, teams=[team_a, team_b])


@pytest.fixture
def moving(team_a, caseworker):
    return CaseFactory(team=team_a, status="active", assignee=caseworker, alias="Ruslan Kestrel")


def fresh(case) -> Case:
    return Case.objects.select_related("team").get(pk=case.pk)


def trail(case) -> list[dict]:
    events = AuditEvent.objects.filter(object_ref=case.reference, detail__has_key="transfer")
    return list(events.order_by("pk").values_list("detail", flat=True))


class TestAtOnce:
    def test_a_coordinator_of_both_teams_moves_the_case_at_once(self, team_a, team_b, both, moving):
        transfer = transfers.case_transfer(case=moving, to_team=team_b, by=both)
        case = fresh(moving)
        assert (case.team, case.assignee) == (team_b, None)
        assert (transfer.accepted, transfer.decided_by, transfer.requested_by) == (True, both, both)
        event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.TRANSFERRED)
        assert (event.by, event.detail) == (both, "Team B")
        assert trail(case) == [
            {"transfer": "moved", "from_team": team_a.pk, "to_team": team_b.pk,
             "fields": ["team", "assignee"]},
        ]  # fmt: skip

    def test_its_search_tokens_are_the_new_teams(self, team_a, team_b, both, moving):
        search.index_case(moving)
        assert set(SearchToken.objects.values_list("token", flat=True)) == set(
            search.tokens_for(team_a.pk, "Ruslan Kestrel")
        )
        transfers.case_transfer(case=moving, to_team=team_b, by=both)
        assert set(SearchToken.objects.values_list("token", flat=True)) == set(
            search.tokens_for(team_b.pk, "Ruslan Kestrel")
        )
        assert not set(search.tokens_for(team_a.pk, "Ruslan")) & set(
            SearchToken.objects.values_list("token", flat=True)
        )

    def test_everything_that_hangs_off_the_case_follows_it(
        self, team_a, team_b, both, moving, caseworker, partner_org
    ):
        Note.objects.create(case=moving, author=caseworker, body="first call")
        checkin = CheckIn.objects.create(case=moving, due_at=timezone.now() + HOUR)
        referral = ReferralFactory(case=moving, partner=partner_org)
        plan = evacuations.plan_open(
            case=moving, data={"destination_country": "GE", "destination_city": ""}, by=caseworker
        )
        transfers.case_transfer(case=moving, to_team=team_b, by=both)
        case = fresh(moving)
        assert list(case.notes.values_list("body", flat=True)) == ["first call"]
        assert list(case.checkins.all()) == [checkin]
        assert list(case.referrals.all()) == [referral]
        assert list(case.evacuation_plans.all()) == [plan]

    def test_the_old_teams_open_reminders_close_and_the_new_team_is_told(
        self, team_a, team_b, both, moving, caseworker, coordinator, outsider
    ):
        checkin = CheckIn.objects.create(case=moving, due_at=timezone.now() - HOUR)
        reminders.scan()
        assert sorted(Notification.objects.open().values_list("user__username", flat=True)) == [
            "both",
            "caseworker",
            "coordinator",
        ]
        transfers.case_transfer(case=moving, to_team=team_b, by=both)
        # Whoever is in both teams keeps theirs; team A's others no longer see the case.
        assert list(Notification.objects.open().values_list("user__username", flat=True)) == [
            "both"
        ]
        reminders.scan()
        # Team B's coordinator hears of the missed check-in that came with the case.
        assert (
            Notification.objects.open()
            .filter(user=outsider, kind=Kind.CHECKIN_MISSED, key=f"checkin:{checkin.pk}")
            .exists()
        )
        # Removed, not marked done: done would silence these events if the case came back.
        assert not Notification.objects.filter(user__in=[caseworker, coordinator]).exists()


class TestAsked:
    def test_a_coordinator_of_one_team_asks_and_nothing_moves_yet(
        self, team_a, team_b, coordinator, outsider, moving, caseworker
    ):
        transfer = transfers.case_transfer(case=moving, to_team=team_b, by=coordinator)
        case = fresh(moving)
        assert (case.team, case.assignee) == (team_a, caseworker)
        assert transfer.is_open and transfer.requested_by == coordinator
        assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.TRANSFERRED).exists()
        assert trail(case) == [
            {"transfer": "requested", "from_team": team_a.pk, "to_team": team_b.pk}
        ]

    def test_a_coordinator_of_the_other_team_accepts(
        self, team_a, team_b, coordinator, outsider, moving
    ):
        transfer = transfers.case_transfer(case=moving, to_team=team_b, by=coordinator)
        transfers.transfer_accept(transfer=transfer, by=outsider)
        case = fresh(moving)
        assert (case.team, case.assignee) == (team_b, None)
        transfer.refresh_from_db()
        assert (transfer.accepted, transfer.decided_by) == (True, outsider)
        assert [d["transfer"] for d in trail(case)] == ["requested", "moved"]

    def test_or_refuses_and_the_case_stays(
        self, team_a, team_b, coordinator, outsider, moving, caseworker
    ):
        transfer = transfers.case_transfer(case=moving, to_team=team_b, by=coordinator)
        transfers.transfer_refuse(transfer=transfer, by=outsider)
        assert (fresh(moving).team, fresh(moving).assignee) == (team_a, caseworker)
        transfer.refresh_from_db()
        assert (transfer.accepted, transfer.decided_by) == (False, outsider)
        assert [d["transfer"] for d in trail(moving)] == ["requested", "refused"]
        # Refused, the case may be asked of a team again.
        assert transfers.case_transfer(case=moving, to_team=team_b, by=coordinator).is_open

    def test_any_coordinator_of_the_case_team_may_withdraw(
        self, team_a, team_b, coordinator, outsider, moving
    ):
        other = UserFactory(role=Role.COORDINATOR, teams=[team_a])
        transfer = transfers.case_transfer(case=moving, to_team=team_b, by=coordinator)
        transfers.transfer_withdraw(transfer=transfer, by=other)
        transfer.refresh_from_db()
        assert (transfer.accepted, transfer.decided_by) == (False, other)
        assert fresh(moving).team == team_a
        with pytest.raises(TransferError):
            transfers.transfer_accept(transfer=transfer, by=outsider)
        assert fresh(moving).team == team_a


class TestRefused:
    def test_the_same_team(self, team_a, coordinator, moving):
        with pytest.raises(TransferError, match="already with this team"):
            transfers.case_transfer(case=moving, to_team=team_a, by=coordinator)

    def test_a_second_request_while_one_waits(self, team_b, coordinator, outsider, moving, both):
        transfers.case_transfer(case=moving, to_team=team_b, by=coordinator)
        team_c = TeamFactory(name="Team C")
        UserFactory(role=Role.COORDINATOR, teams=[team_c])
        for by, to in ((coordinator, team_c), (both, team_b)):
            with pytest.raises(TransferError, match="already waiting"):
                transfers.case_transfer(case=moving, to_team=to, by=by)
        assert Transfer.objects.count() == 1

    def test_the_database_keeps_one_open_request_when_the_check_is_raced(
        self, team_b, coordinator, outsider, moving, monkeypatch
    ):
        transfers.case_transfer(case=moving, to_team=team_b, by=coordinator)
        # Where no row lock is taken (SQLite), a second request may pass the check.
        monkeypatch.setattr(transfers, "open_request", lambda case: None)
        with pytest.raises(TransferError, match="already waiting"):
            transfers.case_transfer(case=moving, to_team=team_b, by=coordinator)
        assert Transfer.objects.count() == 1
        with pytest.raises(IntegrityError), transaction.atomic():
            Transfer.objects.create(case=moving, from_team=moving.team, to_team=team_b)

    def test_a_team_with_nobody_to_accept(self, coordinator, moving):
        empty = TeamFactory(name="Nobody home")
        UserFactory(role=Role.COORDINATOR, teams=[empty], is_active=False)
        UserFactory(role=Role.CASEWORKER, teams=[empty])
        with pytest.raises(TransferError, match="no coordinator"):
            transfers.case_transfer(case=moving, to_team=empty, by=coordinator)
        assert not Transfer.objects.exists()

    def test_a_caseworker_moves_nothing(self, team_b, caseworker, outsider, moving):
        with pytest.raises(PermissionDenied):
            transfers.case_transfer(case=moving, to_team=team_b, by=caseworker)
        assert not Transfer.objects.exists()

    @pytest.mark.parametrize("who", ["requester", "caseworker of the team asked", "third team"])
    def test_only_a_coordinator_of_the_team_asked_decides(
        self, team_b, coordinator, outsider, moving, who
    ):
        transfer = transfers.case_transfer(case=moving, to_team=team_b, by=coordinator)
        by = {
            "requester": coordinator,
            "caseworker of the team asked": UserFactory(role=Role.CASEWORKER, teams=[team_b]),
            "third team": UserFactory(role=Role.COORDINATOR, teams=[TeamFactory(name="Team C")]),
        }[who]
        for decide in (transfers.transfer_accept, transfers.transfer_refuse):
            with pytest.raises(PermissionDenied):
                decide(transfer=transfer, by=by)
        transfer.refresh_from_db()
        assert transfer.is_open and fresh(moving).team == moving.team

    def test_the_team_asked_cannot_withdraw(self, team_b, coordinator, outsider, moving):
        transfer = transfers.case_transfer(case=moving, to_team=team_b, by=coordinator)
        with pytest.raises(PermissionDenied):
            transfers.transfer_withdraw(transfer=transfer, by=outsider)
        transfer.refresh_from_db()
        assert transfer.is_open

    @pytest.mark.parametrize("first", ["accept", "refuse", "withdraw"])
    def test_a_request_is_decided_once(self, team_b, coordinator, outsider, moving, first):
        transfer = transfers.case_transfer(case=moving, to_team=team_b, by=coordinator)
        steps = {
            "accept": lambda: transfers.transfer_accept(transfer=transfer, by=outsider),
            "refuse": lambda: transfers.transfer_refuse(transfer=transfer, by=outsider),
            "withdraw": lambda: transfers.transfer_withdraw(transfer=transfer, by=coordinator),
        }
        steps.pop(first)()
        decided = Transfer.objects.values_list("accepted", "decided_by").get()
        for step in steps.values():
            with pytest.raises(TransferError):
                step()
        assert Transfer.objects.values_list("accepted", "decided_by").get() == decided


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestAtTheSameTime:
    def test_two_requests_at_once_make_one(self, team_a, team_b, coordinator, outsider):
        case = CaseFactory(team=team_a)
        second = UserFactory(role=Role.COORDINATOR, teams=[team_a])

        def ask(by):
            return lambda: transfers.case_transfer(
                case=Case.objects.get(pk=case.pk), to_team=team_b, by=by
            )

        outcomes = run_once_each([ask(coordinator), ask(second)])
        assert sorted(type(o).__name__ for o in outcomes) == ["Transfer", "TransferError"]
        assert Transfer.objects.count() == 1

    def test_accepting_while_it_is_withdrawn_does_one_of_them(
        self, team_a, team_b, coordinator, outsider
    ):
        case = CaseFactory(team=team_a)
        transfer = transfers.case_transfer(case=case, to_team=team_b, by=coordinator)
        outcomes = run_once_each(
            [
                lambda: transfers.transfer_accept(transfer=Transfer.objects.get(), by=outsider),
                lambda: transfers.transfer_withdraw(
                    transfer=Transfer.objects.get(), by=coordinator
                ),
            ]
        )
        errors = [o for o in outcomes if isinstance(o, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], TransferError), outcomes
        transfer.refresh_from_db()
        moved = Case.objects.get(pk=case.pk).team_id == team_b.pk
        assert transfer.accepted is moved


def run_once_each(works: list) -> list:
    """Run each of `works` in its own thread, released together (tests/concurrency.py)."""
    pending = list(works)
    return run_at_once(lambda: pending.pop()(), times=len(works))
