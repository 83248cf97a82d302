from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from conversations import sections
        from intake import case_sections

        # intake sits below: its case page learns of the reply card here.
        case_sections.register(
            "conversation", template="conversations/_reply.html", context=sections.reply
        )
