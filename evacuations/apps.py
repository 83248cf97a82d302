from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvacuationsConfig(AppConfig):
    name = "evacuations"
    verbose_name = _("Evacuations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from evacuations import drafts

        drafts.register()
