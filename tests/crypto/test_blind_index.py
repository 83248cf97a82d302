import pytest

from crypto.blind_index import blind_index, normalise_handle


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("@Sparrow", "sparrow"),
        ("t.me/sparrow", "@SPARROW"),
        ("+7 (900) 000-11-22", "79000001122"),
        ("8 900 000 11 22", "+7 900 000-11-22"),
        ("900 000 11 22", "+79000001122"),
        ("+994 50 000 11 22", "+994500001122"),
        ("Sparrow\u200b", "sparrow"),  # zero-width space
        ("ｓｐａｒｒｏｗ", "sparrow"),  # full-width letters
        (" user@example.org ", "USER@example.org"),
    ],
)
def test_it_matches_the_same_handle_written_differently(a, b):
    assert blind_index(a) == blind_index(b)


def test_it_keeps_different_handles_apart():
    assert blind_index("@sparrow") != blind_index("@sparrow2")
    assert blind_index("+994 50 000 11 22") != blind_index("+7 50 000 11 22")
    assert blind_index("+7 900 000 11 22") != blind_index("+7 900 000 11 23")


def test_it_is_keyed(settings):
    before = blind_index("@sparrow")
    settings.BLIND_INDEX_KEY = "another-key-of-at-least-thirty-two-characters"
    assert blind_index("@sparrow") != before


def test_it_is_not_a_plain_hash_of_the_handle():
    import hashlib

    assert blind_index("sparrow") != hashlib.sha256(b"sparrow").hexdigest()


def test_an_empty_handle_has_no_index():
    assert blind_index("   ") == ""
    assert normalise_handle("@") == ""
