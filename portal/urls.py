from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.start, name="start"),
    path("ask/", views.ask, name="ask"),
    path("codename/", views.codename, name="codename"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("messages/", views.inbox, name="inbox"),
    path("messages/write/", views.write, name="write"),
    path("check-in/<int:checkin_id>/", views.checkin, name="checkin"),
    path("safety/", views.duress, name="duress"),
    path("delete/", views.forget, name="forget"),
    path("deleted/", views.forgotten, name="forgotten"),
    path("sign-out/", views.sign_out, name="sign_out"),
]
