"""What a refused referral move says: the exact words a caseworker or partner reads."""

import pytest

from referrals.status import ReferralError, check_transition


def test_a_refused_move_names_both_states_by_their_labels():
    with pytest.raises(ReferralError) as caught:
        check_transition("draft", "accepted")
    assert str(caught.value) == "A referral cannot move from “Draft” to “Accepted”."


def test_a_finished_referral_refuses_every_move_in_the_same_words():
    with pytest.raises(ReferralError) as caught:
        check_transition("completed", "withdrawn")
    assert str(caught.value) == "A referral cannot move from “Completed” to “Withdrawn”."
