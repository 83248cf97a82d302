from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Referrals to partner organisations")

    def ready(self):
        from audit import alerts
        from referrals import alerts as referral_alerts
        from referrals import drafts

        drafts.register()
        # audit sits below referrals: it learns of this check here, not by an import.
        alerts.register(referral_alerts.partner_without_open_work)
