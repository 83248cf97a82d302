"""Case page addresses, cheap enough for pages that link a hundred cases."""

import functools
import re

from django.urls import get_script_prefix, reverse

# What a case reference looks like in a URL: the converter in intake/urls.py
# takes nothing else, so no sequential id or handle can end up in an address.
REFERENCE_REGEX = "[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}"
_REFERENCE = re.compile(REFERENCE_REGEX)
_SAMPLE = "0000-0000-0000"


@functools.lru_cache(maxsize=8)
def _around_reference(script_prefix: str) -> tuple[str, str]:
    before, _, after = reverse("intake:case_detail", args=[_SAMPLE]).partition(_SAMPLE)
    return before, after


def case_url(reference: str) -> str:
    """Return the case page's address, as reverse() would give it.

    reverse() resolves the URLconf on every call: about 40 µs, or 4 ms of a
    case list that links its fifty rows and the missed check-ins above them
    (bench/README.md). The address around the reference is the same for
    every case, so resolve it once per script prefix.
    """
    if not _REFERENCE.fullmatch(reference):
        return reverse("intake:case_detail", args=[reference])  # let it refuse
    before, after = _around_reference(get_script_prefix())
    return before + reference + after
