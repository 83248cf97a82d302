from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Linked cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from intake import case_sections, unmerging
        from network import sections, services

        # intake sits below: its case page learns of warnings and links here.
        case_sections.register(
            "exposures", template="network/_exposures.html", context=sections.exposures, place="top"
        )
        case_sections.register("links", template="network/_links.html", context=sections.links)
        # A duplicate reopened stands alone again: its "duplicate" link goes.
        unmerging.register(services.duplicate_link_remove)
