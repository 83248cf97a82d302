"""What a refused leg move says: the exact words a caseworker or partner reads."""

import pytest

from evacuations.status import PlanError, check_leg_move


def refusal(current, target):
    with pytest.raises(PlanError) as caught:
        check_leg_move(current, target)
    return str(caught.value)


def test_a_refused_move_names_both_states_by_their_labels():
    assert refusal("planned", "done") == "A leg cannot move from “Planned” to “Done”."


def test_a_finished_leg_refuses_every_move_in_the_same_words():
    assert refusal("cancelled", "under_way") == "A leg cannot move from “Cancelled” to “Under way”."


def test_a_target_the_machine_does_not_know_is_refused_and_named_as_given():
    assert refusal("planned", "teleported") == "A leg cannot move from “Planned” to “teleported”."
