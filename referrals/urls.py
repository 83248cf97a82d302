from django.urls import path, register_converter

from intake.urls import ReferenceConverter  # importing it also registers "reference"
from referrals import partner_views, views


class ReferralReferenceConverter(ReferenceConverter):
    regex = "R[0-9A-Z]{3}-[0-9A-Z]{4}-[0-9A-Z]{5}"


class PartnerReferenceConverter(ReferenceConverter):
    regex = "P[0-9A-Z]{9}"


register_converter(ReferralReferenceConverter, "referral")
register_converter(PartnerReferenceConverter, "partner")

app_name = "referrals"

C = "cases/<reference:reference>"
R = "referrals/<referral:reference>"
P = "partners/<partner:reference>"

urlpatterns = [
    path(f"{C}/route/", views.route, name="route"),
    path(f"{C}/referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/", views.open_referrals, name="open_referrals"),
    path(f"{R}/", views.referral_detail, name="referral_detail"),
    path(f"{R}/edit/", views.referral_edit, name="referral_edit"),
    path(f"{R}/approve/", views.referral_approve, name="referral_approve"),
    path(f"{R}/send/", views.referral_send, name="referral_send"),
    path(f"{R}/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path(f"{P}/", views.partner_edit, name="partner_edit"),
    path(f"{P}/staff/", views.partner_staff_add, name="partner_staff_add"),
    path(f"{P}/staff/deactivate/", views.partner_staff_deactivate, name="partner_staff_deactivate"),
    path("partner/", partner_views.inbox, name="partner_inbox"),
    path("partner/<referral:reference>/", partner_views.detail, name="partner_detail"),
    path("partner/<referral:reference>/<str:action>/", partner_views.act, name="partner_act"),
]
