from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:table>.csv", views.export, name="export"),
]
