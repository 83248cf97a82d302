from datetime import timedelta

import pytest
from django.utils import timezone, translation

from evacuations.forms import LegForm

pytestmark = pytest.mark.django_db


def test_a_saved_leg_renders_its_dates_iso_in_russian(plan, add_leg):
    leg = add_leg(days=2)
    start = timezone.localdate()
    with translation.override("ru"):
        html = str(LegForm(instance=leg, plan=plan))
    assert f'value="{start:%Y-%m-%d}"' in html
    assert f'value="{start + timedelta(days=2):%Y-%m-%d}"' in html
    assert f"{start:%d.%m.%Y}" not in html
