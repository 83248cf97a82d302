from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Set by the page's script (static/app/app.js) on every form it sends by fetch.
SCRIPTED_SUBMIT_HEADER = "X-Scripted-Submit"


def is_scripted(request: HttpRequest) -> bool:
    """Whether the page's script sent this request (ops.middleware.ScriptedSubmitMiddleware)."""
    return request.headers.get(SCRIPTED_SUBMIT_HEADER) == "1"


def posted_id(request, name: str) -> int | None:
    """A database id posted in a form, or None for anything else ("²" and "1 OR 1=1" included)."""
    raw = request.POST.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def same_site_path(request: HttpRequest, candidate: str | None, default: str = "/") -> str:
    """`candidate` if it is a path on this site, else `default`: where a `next` may send.

    Only a path, never a full address: "//evil.example" and "/\\evil.example"
    are other hosts to a browser. Give the answer to HttpResponseRedirect,
    never to redirect(), which tries a word without "/" or "." ("foo",
    "admin:index") as a view name and fails with a 500 or obeys it.
    """
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default
