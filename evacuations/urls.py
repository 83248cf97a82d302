from django.urls import path, register_converter

from evacuations import views
from intake.urls import ReferenceConverter  # importing it also registers "reference"


class PlanReferenceConverter(ReferenceConverter):
    regex = "E[0-9A-Z]{3}-[0-9A-Z]{4}-[0-9A-Z]{5}"


class RouteReferenceConverter(ReferenceConverter):
    regex = "T[0-9A-Z]{3}-[0-9A-Z]{4}-[0-9A-Z]{5}"


class LegKeyConverter(ReferenceConverter):
    regex = "[0-9A-Z]{10}"


register_converter(PlanReferenceConverter, "plan")
register_converter(RouteReferenceConverter, "route")
register_converter(LegKeyConverter, "leg")

app_name = "evacuations"

E = "evacuations/<plan:reference>"
L = f"{E}/legs/<leg:key>"

urlpatterns = [
    path("cases/<reference:reference>/evacuation/", views.plan_create, name="plan_create"),
    path(f"{E}/", views.plan_detail, name="plan_detail"),
    path(f"{E}/legs/", views.leg_add, name="leg_add"),
    path(f"{L}/", views.leg_edit, name="leg_edit"),
    path(f"{L}/<slug:action>/", views.leg_act, name="leg_act"),
    path(f"{E}/documents/", views.documents_set, name="documents_set"),
    path(f"{E}/complete/", views.plan_complete, name="plan_complete"),
    path(f"{E}/cancel/", views.plan_cancel, name="plan_cancel"),
    path(f"{E}/route/", views.route_save, name="route_save"),
    path("routes/", views.route_list, name="route_list"),
    path("routes/<route:reference>/active/", views.route_toggle, name="route_toggle"),
]
