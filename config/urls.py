from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, reverse
from django.utils.functional import lazy

from accounts.views import (
    LockNowView,
    PasswordChangeView,
    SignInView,
    account,
    duress_password_remove,
    duress_password_set,
    home,
    language_set,
    reauth,
    restore,
    revoke,
    session_alive,
    team,
    time_zone_set,
    travel_set,
    two_factor_replace,
    two_factor_setup,
    two_factor_verify,
    wake,
    wake_approve,
)
from ops.views import health

handler500 = "ops.views.server_error"
# The admin site names itself as the rest of the site does (SITE_TITLE may be innocuous),
# read when a page renders, as the context processor reads it.
admin.site.site_header = admin.site.site_title = lazy(lambda: settings.SITE_TITLE, str)()

# The admin site signs in through the one sign-in page, where a duress password
# is recognised (accounts.views.SignInView), never through a page of its own.
admin.site.login = lambda request, extra_context=None: redirect_to_login(
    request.GET.get("next") or reverse("admin:index")
)

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
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", LockNowView.as_view(), name="logout"),
    path("session/alive/", session_alive, name="session_alive"),
    path("2fa/setup/", two_factor_setup, name="two_factor_setup"),
    path("confirm/", reauth, name="reauth"),
    path("2fa/verify/", two_factor_verify, name="two_factor_verify"),
    path("account/", account, name="account"),
    path("language/", language_set, name="language_set"),
    path("account/time-zone/", time_zone_set, name="time_zone_set"),
    path("account/authenticator/", two_factor_replace, name="two_factor_replace"),
    path("account/password/", PasswordChangeView.as_view(), name="password_change"),
    # Coercion (accounts/coercion.py): the duress password and travel mode.
    path("account/duress/", duress_password_set, name="duress_password_set"),
    path("account/duress/remove/", duress_password_remove, name="duress_password_remove"),
    path("account/travel/", travel_set, name="travel_set"),
    path("account/wake/", wake, name="wake"),
    path("team/", team, name="team"),
    path("team/revoke/", revoke, name="revoke"),
    path("team/restore/", restore, name="restore"),
    path("team/wake/", wake_approve, name="wake_approve"),
    path("drafts/", include("drafts.urls")),
    path("health/", health, name="health"),
    # The person's own pages, at an address of their own (PORTAL_PATH).
    path(settings.PORTAL_PATH.lstrip("/"), include("portal.urls")),
    path("admin/", admin.site.urls),
]
