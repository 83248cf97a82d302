"""The exact form a handle is reduced to before it is indexed.

Indexes already stored were computed from these forms: a change to them
would make every new request miss the person's earlier ones.
"""

import pytest

from crypto.blind_index import blind_index, normalise_handle


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        # A possible number, in international form (E.164).
        ("8 900 123-45-67", "+79001234567"),
        ("(900) 123 45 67", "+79001234567"),
        ("+44 20 7946 0958", "+442079460958"),
        # Too short to be a number anywhere: its digits, as typed.
        ("12-34-56", "123456"),
        # Not a number phonenumbers can read at all: its digits too.
        ("+0 123 456", "0123456"),
    ],
)
def test_a_phone_like_handle_becomes_one_exact_form(typed, normal):
    assert normalise_handle(typed) == normal


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("@Ivan_Petrov", "ivan_petrov"),
        ("https://t.me/Ivan_Petrov", "ivan_petrov"),
        ("http://t.me/ivan_petrov", "ivan_petrov"),
        ("t.me/ivan_petrov", "ivan_petrov"),
        # Spaces anywhere, and marks nobody sees, are dropped.
        (" ivan petrov ", "ivanpetrov"),
        ("iv\u200ban_petrov", "ivan_petrov"),
    ],
)
def test_a_messenger_handle_becomes_one_exact_form(typed, normal):
    assert normalise_handle(typed) == normal


@pytest.mark.parametrize("empty", ["", None, "   "])
def test_an_empty_handle_gets_no_index_rather_than_one_shared_by_all_empty_handles(empty):
    assert blind_index(empty) == ""
