"""Case page addresses, cheap enough for pages that link a hundred cases."""

import functools
import re

from django.core.exceptions import ImproperlyConfigured
from django.urls import URLResolver, get_resolver, get_script_prefix, get_urlconf, reverse

# What a case reference looks like in a URL: the converter in intake/urls.py
# takes nothing else, so no sequential id or handle can end up in an address.
REFERENCE_REGEX = "[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}"
_REFERENCE = re.compile(REFERENCE_REGEX)
_SAMPLE = "0000-0000-0000"
# Crockford's decoding of what a person reads for a symbol the alphabet lacks.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_TYPED_SEPARATORS = re.compile(r"[\s\-‐-―]+")


def normalise_reference(typed: str) -> str | None:
    """A typed case reference in its stored form ("abcd efgh 1234" → "ABCD-EFGH-1234"), or None.

    Dashes and spaces are optional, as a reference read out over the phone
    comes; O, I and L are read as 0, 1 and 1, which the alphabet leaves out.
    """
    symbols = _TYPED_SEPARATORS.sub("", typed or "").upper().translate(_LOOK_ALIKES)
    if len(symbols) != 12 or not symbols.isascii():
        return None
    reference = f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"
    return reference if _REFERENCE.fullmatch(reference) else None


@functools.lru_cache(maxsize=8)
def _around_reference(resolver: URLResolver, script_prefix: str) -> tuple[str, str]:
    before, found, after = reverse("intake:case_detail", args=[_SAMPLE]).rpartition(_SAMPLE)
    if not found:
        raise ImproperlyConfigured("the case page's address does not hold its reference")
    return before, after


def case_url(reference: str) -> str:
    """Return the case page's address, as reverse() would give it."""
    # reverse() resolves the URLconf on every call: about 40 µs, 4 ms of a
    # case list that links fifty rows and the missed check-ins above them
    # (bench/README.md). Around the reference the address is the same for
    # every case: resolve it once per URLconf and script prefix.
    if not _REFERENCE.fullmatch(reference):
        return reverse("intake:case_detail", args=[reference])  # let it refuse
    before, after = _around_reference(get_resolver(get_urlconf()), get_script_prefix())
    return before + reference + after
