"""Which moves close a referral and who makes which: defined once, in referrals/status.py."""

from referrals import services, status

# README "Referrals": completed, declined, withdrawn and expired are final;
# partners acknowledge, accept, decline and complete; staff send and withdraw.
FINAL = {"completed", "declined", "withdrawn", "expired"}
BY_STAFF = {"sent", "withdrawn"}


def test_the_final_statuses_are_those_of_the_design_and_have_no_way_out():
    assert status.TERMINAL == FINAL
    assert {s for s in FINAL if status.TRANSITIONS[s]} == set()


def test_staff_moves_are_those_of_the_design():
    assert status.STAFF_MOVES == BY_STAFF


def test_the_services_use_the_machines_sets_not_copies():
    assert services.TERMINAL is status.TERMINAL
    assert services.STAFF_MOVES is status.STAFF_MOVES
    assert services.PARTNER_MOVES is status.PARTNER_MOVES
