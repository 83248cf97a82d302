from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from evacuations import route_figures
        from stats import routes

        # evacuations sits below stats: its route list learns of the figures here.
        route_figures.register(routes.route_statistics)
