"""Keyed blind index: find equal contact handles without decrypting any.

HMAC-SHA256 under BLIND_INDEX_KEY, a key of its own. The index reveals only
that two rows share a handle; without the key nobody can test a guess.
"""

import hashlib
import hmac
import re
import unicodedata

import phonenumbers
from django.conf import settings

PHONE_LIKE = re.compile(r"^\+?[\d\s().\-]{6,}$")
# Numbers without a country code are read as Russian: "8 900 …", "900 …" and
# "+7 900 …" are one person, and most requests come from Russian numbers.
DEFAULT_PHONE_REGION = "RU"
WHITESPACE = re.compile(r"\s+")
INVISIBLE = {"Cf"}  # zero-width and direction marks


def normalise_handle(handle: str) -> str:
    """Reduce a handle to the form two caseworkers would agree is the same."""
    text = unicodedata.normalize("NFKC", handle)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in INVISIBLE)
    text = text.strip()
    if PHONE_LIKE.match(text):
        return normalise_phone(text)
    text = WHITESPACE.sub("", text).casefold()
    text = text.removeprefix("@")
    for prefix in ("https://t.me/", "http://t.me/", "t.me/"):
        text = text.removeprefix(prefix)
    return text


def normalise_phone(text: str) -> str:
    try:
        number = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "".join(ch for ch in text if ch.isdigit())


def blind_index(handle: str) -> str:
    """Return the hex HMAC of the normalised handle, or '' for an empty one."""
    normalised = normalise_handle(handle or "")
    if not normalised:
        return ""
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
