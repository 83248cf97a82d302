from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from accounts import coercion
        from reminders.services import staff_duress

        coercion.on_duress(staff_duress)
