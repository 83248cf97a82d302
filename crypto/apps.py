from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CryptoConfig(AppConfig):
    name = "crypto"
    verbose_name = _("Encryption")

    def ready(self):
        from crypto import keycheck

        # A new database gets its key check as soon as its table exists.
        post_migrate.connect(keycheck.record_after_migrate, sender=self)
