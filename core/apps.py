from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Helpers every app may use: form widgets and page parts. Imports no other app."""

    name = "core"
    verbose_name = _("Shared helpers")

    def ready(self):
        from core import jobs  # noqa: F401 - registers its system check
