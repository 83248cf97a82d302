"""Every date, datetime-local and time input carries an ISO value, in every language.

Chromium shows an empty field for any other value (01.12.2026), so a form
saved unchanged in Russian would clear its dates.
"""

import importlib
from datetime import date, datetime, time

import pytest
from django import forms
from django.conf import settings
from django.utils import timezone, translation

from core.widgets import DateInput, DateTimeInput, TimeInput

PROJECT_APPS = [app for app in settings.INSTALLED_APPS if "." not in app]
ISO = {"date": "2026-12-01", "datetime-local": "2026-12-01T14:05", "time": "14:05"}
VALUES = {
    "date": date(2026, 12, 1),
    "datetime-local": datetime(2026, 12, 1, 14, 5),
    "time": time(14, 5),
}


def project_forms() -> list[type[forms.BaseForm]]:
    importlib.import_module(settings.ROOT_URLCONF)  # every view, so every form
    found, queue = [], [forms.BaseForm]
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        # The admin site draws its own text inputs, which take the localised value.
        app, *rest = cls.__module__.split(".")
        if app in PROJECT_APPS and "admin" not in rest:
            found.append(cls)
    return found


def date_fields(form_class):
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField):
            yield name, field


def test_it_finds_the_forms_with_dates():
    named = {(cls.__name__, name) for cls in project_forms() for name, _ in date_fields(cls)}
    # Written out from the pages: if one disappears, the search above is broken.
    assert {
        ("FollowUpForm", "follow_up_on"),
        ("CheckInForm", "due_at"),
        ("ReferralForm", "complete_by"),
        ("ReferralForm", "consent_at"),
        ("LegForm", "planned_start"),
        ("LegForm", "planned_end"),
        ("PlanForm", "start_on"),
    } <= named


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_date_input_renders_iso(language):
    checked = 0
    with translation.override(language):
        for cls in project_forms():
            for name, field in date_fields(cls):
                widget = field.widget
                kind = getattr(widget, "input_type", "")
                assert kind in ISO, f"{cls.__name__}.{name} renders as type={kind!r}"
                html = widget.render(name, field.prepare_value(VALUES[kind]))
                assert f'value="{ISO[kind]}"' in html, f"{cls.__name__}.{name}: {html}"
                checked += 1
    assert checked >= 7


def test_the_plain_django_widget_would_fail_in_russian():
    """The power of the test above: Django's own widget localises the value."""
    with translation.override("ru"):
        html = forms.DateInput(attrs={"type": "date"}).render("d", date(2026, 12, 1))
    assert 'value="01.12.2026"' in html


def test_the_widgets_read_what_they_wrote():
    with translation.override("ru"):
        day = forms.DateField(widget=DateInput()).clean("2026-12-01")
        moment = forms.DateTimeField(widget=DateTimeInput()).clean("2026-12-01T14:05")
        hour = forms.TimeField(widget=TimeInput()).clean("14:05")
    assert day == date(2026, 12, 1)
    assert timezone.localtime(moment).replace(tzinfo=None) == datetime(2026, 12, 1, 14, 5)
    assert hour == time(14, 5)
