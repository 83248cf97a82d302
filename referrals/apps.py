from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals to partner organisations")

    def ready(self):
        from referrals import drafts

        drafts.register()
