from django import forms
from django.core.exceptions import ValidationError
from django.db import models


class ChoiceListField(models.CharField):
    """A set of choice values stored as ",a,b," so that one value is a portable LIKE.

    SQLite has no JSON containment lookup; `field__contains=",shelter,"` works on
    every backend and needs no join table.
    """

    def __init__(self, *args, choices_enum=None, **kwargs):
        self.choices_enum = choices_enum
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choices_enum"] = self.choices_enum
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        enum = self.choices_enum

        def labels(instance):
            return [enum(v).label if v in enum.values else v for v in getattr(instance, name)]

        setattr(cls, f"get_{name}_display", labels)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        return [item for item in value.split(",") if item]

    def get_prep_value(self, value):
        if isinstance(value, (list, tuple, set)):
            return "," + ",".join(sorted(set(value))) + "," if value else ""
        return value  # a lookup operand such as ",shelter,"

    def validate(self, value, model_instance):
        allowed = set(self.choices_enum.values)
        unknown = [item for item in value or [] if item not in allowed]
        if unknown:
            raise ValidationError("Unknown choice: %(value)s", params={"value": unknown[0]})
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.choices_enum.choices,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name,
            help_text=self.help_text,
        )

    @staticmethod
    def contains(value: str) -> str:
        return f",{value},"
