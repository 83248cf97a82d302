from django.urls import path, register_converter

from intake import search_views, transfer_views, views
from intake.links import REFERENCE_REGEX


class ReferenceConverter:
    regex = REFERENCE_REGEX

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

app_name = "intake"

# The converter keeps anything but a random reference (a sequential id,
# a handle) out of case URLs.
R = "<reference:reference>"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("check-handle/", views.handle_check, name="handle_check"),
    path("search/", search_views.case_search, name="case_search"),
    path(f"{R}/", views.case_detail, name="case_detail"),
    path(f"{R}/edit/", views.case_edit, name="case_edit"),
    path(f"{R}/notes/", views.note_add, name="note_add"),
    path(f"{R}/status/", views.case_move, name="case_move"),
    path(f"{R}/follow-up/", views.follow_up_set, name="follow_up_set"),
    path(f"{R}/verification/", views.verification_set, name="verification_set"),
    path(f"{R}/channel-restored/", views.channel_restore, name="channel_restore"),
    path(f"{R}/assign/", views.case_assign, name="case_assign"),
    path(f"{R}/legal-hold/", views.legal_hold_set, name="legal_hold_set"),
    path(f"{R}/check-ins/", views.checkin_set, name="checkin_set"),
    path(f"{R}/check-ins/heard/", views.checkin_heard, name="checkin_heard"),
    path("transfers/", transfer_views.transfer_requests, name="transfer_requests"),
    path(f"{R}/transfer/", transfer_views.case_transfer, name="case_transfer"),
    path(f"{R}/transfer/withdraw/", transfer_views.transfer_withdraw, name="transfer_withdraw"),
    path(f"{R}/transfer/accept/", transfer_views.transfer_accept, name="transfer_accept"),
    path(f"{R}/transfer/refuse/", transfer_views.transfer_refuse, name="transfer_refuse"),
]
