"""Codenames: random diceware words, kept only as an Argon2id hash and a keyed lookup value.

A codename is the person's only key to their request, shown once. Its
words come from a list per language: the EFF long list for English (7,776
words, shipped by xkcdpass) and, for Russian, `wordlists/ru.txt` (built by
`wordlists/make_ru.py`). Each codename has at least TARGET_BITS of entropy
and at least MIN_WORDS words: seven English ones (90.5 bits, as SecureDrop),
eight Russian ones from the shorter list (92.5 bits).

Stored: `lookup`, an HMAC of the normalised codename under CODENAME_KEY, to
find the row in one indexed query, and `digest`, its Argon2id hash, which is
what proves it. A wrong codename still verifies one hash (against a dummy):
right and wrong cost the same.
"""

import hashlib
import hmac
import math
import re
import secrets
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

import argon2
from django.conf import settings

TARGET_BITS = 90
MIN_WORDS = 7
# What the sign-in box takes: eight of the longest Russian words and spaces,
# with room to spare; anything longer is no codename and is not hashed.
MAX_LENGTH = 200
WORD_SEPARATORS = re.compile(r"[^\w]+|_+")


def _english() -> list[str]:
    return resources.files("xkcdpass").joinpath("static/eff-long").read_text("utf-8").split()


def _russian() -> list[str]:
    return (Path(__file__).parent / "wordlists" / "ru.txt").read_text("utf-8").split()


SOURCES = {"en": _english, "ru": _russian}


@cache
def words(language: str) -> tuple[str, ...]:
    found = tuple(dict.fromkeys(SOURCES[language]()))
    if len(found) < 2048:
        raise RuntimeError(f"the {language} codename word list is too short: {len(found)} words")
    return found


def word_count(language: str) -> int:
    return max(MIN_WORDS, math.ceil(TARGET_BITS / math.log2(len(words(language)))))


def entropy_bits(language: str) -> float:
    return word_count(language) * math.log2(len(words(language)))


def generate(language: str) -> str:
    """A new codename: words drawn by the operating system's random source."""
    language = language if language in SOURCES else "en"
    vocabulary = words(language)
    return " ".join(secrets.choice(vocabulary) for _ in range(word_count(language)))


def normalise(typed: str) -> str:
    """What two typings of one codename share: case, ё, spacing and punctuation aside."""
    text = unicodedata.normalize("NFKC", typed).casefold().replace("ё", "е")
    return " ".join(part for part in WORD_SEPARATORS.split(text) if part)


def lookup(normalised: str) -> str:
    key = ("codename-lookup:" + settings.CODENAME_KEY).encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def _hasher() -> argon2.PasswordHasher:
    return argon2.PasswordHasher(type=argon2.Type.ID, **settings.PORTAL_ARGON2)


def digest(normalised: str) -> str:
    return _hasher().hash(normalised)


@cache
def _dummy(parameters: tuple) -> str:
    """A hash of nothing anyone can type, with today's parameters: what a wrong codename
    is checked against, so that it costs what a right one does."""
    return argon2.PasswordHasher(type=argon2.Type.ID, **dict(parameters)).hash(
        secrets.token_hex(16)
    )


def dummy_digest() -> str:
    return _dummy(tuple(sorted(settings.PORTAL_ARGON2.items())))


def verify(stored: str, normalised: str) -> bool:
    """Argon2's own comparison (constant time); a damaged hash is a mismatch, never an error."""
    try:
        return _hasher().verify(stored, normalised)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False
