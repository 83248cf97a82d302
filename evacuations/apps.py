from django.apps import AppConfig


class EvacuationsConfig(AppConfig):
    name = "evacuations"
    default_auto_field = "django.db.models.BigAutoField"
