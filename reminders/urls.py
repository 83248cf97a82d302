from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/done/", views.notification_done, name="notification_done"),
]
