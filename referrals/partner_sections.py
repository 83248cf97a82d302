"""What else a partner sees on a referral's page, told by the apps above referrals.

Referrals may not import them (docs/architecture.md): evacuations registers
the legs the partner takes part in, from its AppConfig.ready. A section is
called with the referral, already checked to be the partner's, and whether
the person's channels are burned (it must then hold back what it would
otherwise share); the page gets its result under the section's name.
"""

from collections.abc import Callable

from referrals.models import Referral

Section = Callable[..., object]  # (referral, *, channels_burned) -> what the template shows
_sections: dict[str, Section] = {}


def register(name: str, section: Section) -> None:
    _sections[name] = section


def sections_for(referral: Referral, *, channels_burned: bool) -> dict[str, object]:
    return {
        name: show(referral, channels_burned=channels_burned) for name, show in _sections.items()
    }
