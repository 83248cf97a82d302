from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvacuationsConfig(AppConfig):
    name = "evacuations"
    verbose_name = _("Evacuations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from evacuations import drafts, selectors, services
        from intake import closing
        from referrals import partner_sections

        drafts.register()
        # intake and referrals sit below: they learn of plans and legs here.
        closing.register(services.open_plan_refusal)
        partner_sections.register("legs", selectors.legs_for_partner)
