from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.functional import lazy

from accounts.views import (
    LockNowView,
    account,
    home,
    language_set,
    reauth,
    revoke,
    session_alive,
    team,
    time_zone_set,
    two_factor_replace,
    two_factor_setup,
    two_factor_verify,
)
from ops.views import health

handler500 = "ops.views.server_error"
# The admin site names itself as the rest of the site does (SITE_TITLE may be innocuous),
# read when a page renders, as the context processor reads it.
admin.site.site_header = admin.site.site_title = lazy(lambda: settings.SITE_TITLE, str)()

urlpatterns = [
    path("", home, name="home"),
    path("cases/", include("intake.urls")),
    # Links, merges and the seized-phone warning live under the case page's address.
    path("cases/<reference:reference>/", include("network.urls")),
    # Replies from the case page, and the team's reply templates beside the team page.
    path("", include("conversations.urls")),
    # A case's files; each file's downloads by its reference; the partner's shared ones.
    path("", include("evidence.urls")),
    path("", include("referrals.urls")),
    path("", include("evacuations.urls")),
    path("", include("retention.urls")),
    path("", include("reminders.urls")),
    path("statistics/", include("stats.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", LockNowView.as_view(), name="logout"),
    path("session/alive/", session_alive, name="session_alive"),
    path("2fa/setup/", two_factor_setup, name="two_factor_setup"),
    path("confirm/", reauth, name="reauth"),
    path("2fa/verify/", two_factor_verify, name="two_factor_verify"),
    path("account/", account, name="account"),
    path("language/", language_set, name="language_set"),
    path("account/time-zone/", time_zone_set, name="time_zone_set"),
    path("account/authenticator/", two_factor_replace, name="two_factor_replace"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(success_url="/account/"),
        name="password_change",
    ),
    path("team/", team, name="team"),
    path("team/revoke/", revoke, name="revoke"),
    path("drafts/", include("drafts.urls")),
    path("health/", health, name="health"),
    # The person's own pages, at an address of their own (PORTAL_PATH).
    path(settings.PORTAL_PATH.lstrip("/"), include("portal.urls")),
    path("admin/", admin.site.urls),
]
