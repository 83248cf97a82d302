"""What an open transfer is, said once: `Transfer.objects.open()`, `is_open` and the
one-open-request constraint agree."""

from intake.models import Transfer
from tests.factories import CaseFactory


def test_open_is_what_is_open_says(team_a, team_b):
    case = CaseFactory(team=team_a)
    rows = [
        Transfer.objects.create(case=case, from_team=team_a, to_team=team_b, accepted=accepted)
        for accepted in (True, False, None)
    ]
    assert list(Transfer.objects.open()) == [t for t in rows if t.is_open] == [rows[2]]


def test_the_constraint_counts_the_same_rows_as_open():
    (constraint,) = [
        c for c in Transfer._meta.constraints if c.name == "transfer_one_open_per_case"
    ]
    assert (
        Transfer.objects.open().query.where
        == Transfer.objects.filter(constraint.condition).query.where
    )
