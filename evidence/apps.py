from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence files")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from crypto import keycheck
        from evidence import keys, sections
        from intake import case_sections
        from referrals import partner_sections

        # The apps below learn of the files here: the case page's card, the
        # partner's shared files, and the key check's view of the wrapped keys.
        case_sections.register("files", template="evidence/_files.html", context=sections.files)
        partner_sections.register("files", sections.shared_with_partner)
        keycheck.register_extra_check(keys.stored_keys_problem)
