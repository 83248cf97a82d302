"""Mounted at the site's root (config/urls.py): replies under the case page's address,
the team's templates beside the team page."""

from django.urls import path

from conversations import views

# intake's URLconf registers the "reference" converter: imported first, so
# it exists when these patterns are read.
from intake import urls as _intake_urls  # noqa: F401

app_name = "conversations"

urlpatterns = [
    path("cases/<reference:reference>/messages/reply/", views.reply, name="reply"),
    path("team/replies/", views.template_list, name="template_list"),
    path("team/replies/new/", views.template_create, name="template_create"),
    path("team/replies/edit/", views.template_update, name="template_update"),
    path("team/replies/delete/", views.template_delete, name="template_delete"),
]
