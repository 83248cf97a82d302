"""Mounted at the site's root (config/urls.py): a case's files under its address, a
file's own pages by its reference, and the partner's shared files under their referral."""

from django.urls import path, register_converter

from evidence import dossier_views, views
from intake.urls import ReferenceConverter  # importing it also registers "reference"

# referrals' URLconf registers "referral": imported first, so it exists here.
from referrals import urls as _referral_urls  # noqa: F401


class FileReferenceConverter(ReferenceConverter):
    regex = "F[0-9A-Z]{13}"


register_converter(FileReferenceConverter, "file")

app_name = "evidence"

urlpatterns = [
    path("cases/<reference:reference>/files/", views.upload, name="upload"),
    path("cases/<reference:reference>/dossier/", dossier_views.dossier, name="dossier"),
    path("files/<file:reference>/", views.download, name="download"),
    path("files/<file:reference>/preview/", views.preview, name="preview"),
    path("files/<file:reference>/original/", views.original, name="original"),
    path("files/<file:reference>/share/", views.share, name="share"),
    path("files/<file:reference>/unshare/", views.unshare, name="unshare"),
    path(
        "partner/<referral:referral>/files/<file:reference>/",
        views.partner_download,
        name="partner_download",
    ),
    path(
        "partner/<referral:referral>/files/<file:reference>/preview/",
        views.partner_preview,
        name="partner_preview",
    ),
]
