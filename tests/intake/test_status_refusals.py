"""What a refused case move says: the exact words a caseworker reads."""

import pytest

from intake.status import TransitionError, check_transition


def refusal(current, target, closure_reason=""):
    with pytest.raises(TransitionError) as caught:
        check_transition(current, target, closure_reason)
    return str(caught.value)


def test_a_refused_move_names_both_states_by_their_labels():
    assert refusal("new", "relocated") == "A case cannot move from “New” to “Relocated”."


def test_a_target_the_machine_does_not_know_is_refused_and_named_as_given():
    # Services can be called with anything: an unknown target is refused in
    # the machine's own words, not with the enum's "is not a valid Status".
    assert refusal("new", "archived") == "A case cannot move from “New” to “archived”."


def test_closing_without_a_reason_says_a_reason_is_needed():
    assert refusal("active", "closed") == "Closing a case needs a closure reason."


def test_a_reason_on_any_other_move_says_only_closing_takes_one():
    assert refusal("new", "verifying", "stable") == "Only closing a case takes a closure reason."
