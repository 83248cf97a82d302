from django.urls import path

import intake.urls  # noqa: F401  (registers the case reference converter)
from retention import views

app_name = "retention"

urlpatterns = [
    path("cases/<reference:reference>/forget/", views.case_forget, name="case_forget"),
]
