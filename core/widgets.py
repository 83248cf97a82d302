"""Date and time inputs that keep their value in every language.

A browser's date, datetime-local and time inputs accept only ISO values
(2026-12-01, 2026-12-01T14:05, 14:05). Django renders a value in the active
language's first input format (01.12.2026 in Russian), which Chromium rejects
and shows as an empty field: saving the form unchanged would clear the date.
"""

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"
ISO_TIME = "%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATETIME)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_TIME)
