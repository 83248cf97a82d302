from django.urls import path

from drafts import views

app_name = "drafts"
urlpatterns = [
    path("save/", views.draft_save, name="save"),
    path("discard/", views.draft_discard, name="discard"),
]
