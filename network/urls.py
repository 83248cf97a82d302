"""Mounted under the case page's address (config/urls.py): /cases/<reference>/..."""

from django.urls import path

# intake's URLconf registers the "reference" converter these addresses are
# mounted with: imported first, so the converter exists when config/urls.py
# reads "cases/<reference:reference>/".
from intake import urls as _intake_urls  # noqa: F401
from network import views

app_name = "network"

urlpatterns = [
    path("links/", views.link_add, name="link_add"),
    path("links/remove/", views.link_remove, name="link_remove"),
    path("merge/", views.case_merge, name="case_merge"),
    path("device-compromised/", views.compromised_mark, name="compromised_mark"),
    path("exposures/handled/", views.exposure_handle, name="exposure_handle"),
]
