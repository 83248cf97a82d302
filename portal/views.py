"""The person's pages. No staff account, no script, no cookie before they ask or sign in.

Every POST answers with a redirect (POST, redirect, GET): a browser then
keeps no form body in its history or session files. A refused form, and a
codename to show once, wait encrypted in the portal session for the next
page. The language is the page's `lang`, else the session's, else
PORTAL_LANGUAGE: Tor Browser says "en-US" for everyone.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conversations import services as conversations
from portal import services, sessions, throttle
from portal.forms import ForgetForm, MessageForm, RequestForm, SignInForm
from portal.models import PortalSession

LANGUAGES = {code for code, _name in settings.LANGUAGES}
# Signed out or deleted: the browser forgets its cookies (the CSRF one too),
# its cache and its storage of this site, as staff "Lock now" does.
FORGET_THIS_SITE = '"cache", "cookies", "storage"'


def _language(request: HttpRequest, session: PortalSession | None) -> str:
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        if session is not None and session.language != asked:
            PortalSession.objects.filter(pk=session.pk).update(language=asked)
            session.language = asked
        return asked
    if session is not None and session.language in LANGUAGES:
        return session.language
    return settings.PORTAL_LANGUAGE


def portal_page(view):
    """A public page of the portal, in the person's language, never cached."""

    @login_not_required
    @never_cache
    @wraps(view)
    def page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        session = sessions.load(request)
        language = _language(request, session)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, session, *args, **kwargs)
        response["Content-Language"] = language
        return response

    return page


def signed_in_page(view):
    """A page of one request: only with a session that signed in with its codename."""

    @portal_page
    @wraps(view)
    def page(request: HttpRequest, session: PortalSession | None, *args, **kwargs):
        if session is None or session.case_id is None:
            return _go(request, "portal:sign_in")
        # Merged since they signed in: the request lives on in the case kept.
        session.case = services.followed(session.case)
        return view(request, session, *args, **kwargs)

    return page


def _go(request: HttpRequest, name: str, **kwargs) -> HttpResponse:
    language = translation.get_language()
    return redirect(f"{reverse(name, kwargs=kwargs)}?lang={language}")


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    context = {"lang": translation.get_language(), **context}
    if context.get("wait"):
        context["wait_message"] = _too_many(context["wait"])
    if refused := context.get("refused"):
        # The GET a refused POST was sent to: the error summary shows (core's page_parts).
        context["error_summary_title"] = (
            translation.gettext("Not signed in:")
            if refused == "sign_in"
            else translation.gettext("Not sent. Please correct this:")
        )
    return render(request, template, context, status=status)


def _refused(request, session, name: str, form, **extra) -> HttpResponse:
    """Keep what was typed and why it was refused for the next page, then go there."""
    response = _go(request, name)
    if session is None:
        session = _held_session(response)
    if session is not None:
        sessions.hold(session, data=_typed(form), **extra)
    return response


def _held_session(response) -> PortalSession | None:
    """A session only to keep a refused form for its page; none in a flood of them."""
    if throttle.wait_for(("held_all", throttle.EVERYONE)):
        return None
    return sessions.start(response, language=translation.get_language())


# A value kept for the refused form's page is cut one past the field's limit (so
# the "too long" message still shows) and this many values a field at most.
CHOICES_KEPT = 20
CHOICE_LENGTH = 40


def _typed(form) -> dict[str, list[str]]:
    """What the person typed into the form's own fields (every ticked need too):
    never more, so a flood of huge bodies is not kept for anyone."""
    kept = {}
    for name, field in form.fields.items():
        limit = (getattr(field, "max_length", None) or CHOICE_LENGTH) + 1
        kept[name] = [value[:limit] for value in form.data.getlist(name)[:CHOICES_KEPT]]
    return kept


def _too_many(wait: int) -> str:
    minutes = max(1, round(wait / 60))
    return translation.ngettext(
        "Too many attempts from here. Try again in %(n)s minute.",
        "Too many attempts from here. Try again in %(n)s minutes.",
        minutes,
    ) % {"n": minutes}


def _held_form(form_class, held: dict):
    """The refused form again, bound to what was typed, its errors found anew."""
    if "data" not in held:
        return form_class()
    form = form_class(MultiValueDict(held["data"]))
    form.is_valid()
    return form


@portal_page
@require_GET
def start(request, session):
    return _page(request, "portal/start.html", {"open": services.is_open(), "session": session})


@portal_page
@require_http_methods(["GET", "POST"])
def ask(request, session):
    if not services.is_open():
        # Nothing to send it to: said plainly, and what was sent is not stored.
        return _page(
            request, "portal/closed.html", {}, status=503 if request.method == "POST" else 200
        )
    if request.method == "GET":
        held = sessions.take(session)
        context = {"form": _held_form(RequestForm, held), "refused": "data" in held}
        return _page(request, "portal/ask.html", {**context, "wait": held.get("wait", 0)})
    form = RequestForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, "portal:ask", form)
    client = throttle.client_of(request)
    wait = throttle.wait_for(("request_client", client), ("request_all", throttle.EVERYONE))
    if wait:
        return _refused(request, session, "portal:ask", form, wait=wait)
    language = translation.get_language()
    try:
        case, codename = services.request_create(data=form.case_data(), language=language)
    except services.PortalClosed:
        return _page(request, "portal/closed.html", {}, status=503)
    response = _go(request, "portal:codename")
    sessions.end(session, response)
    fresh = sessions.start(response, language=language, case=case)
    sessions.hold(fresh, codename=codename, first=True)
    return response


@signed_in_page
@require_http_methods(["GET", "POST"])
def codename(request, session):
    """The codename, shown until the person says they have it: a page lost on the way
    (a dropped circuit) can be loaded again. Then it is gone for good."""
    if request.method == "POST":
        sessions.take(session)
        return _go(request, "portal:inbox")
    held = sessions.peek(session)
    if "codename" not in held:
        return _go(request, "portal:inbox")
    words = held["codename"]
    context = {
        "codename": words,
        "count": len(words.split()),
        "first": held.get("first", False),
        "duress": held.get("duress", False),
    }
    return _page(request, "portal/codename.html", context)


@portal_page
@require_http_methods(["GET", "POST"])
def sign_in(request, session):
    if request.method == "GET":
        held = sessions.take(session)
        form = SignInForm()
        if errors := held.get("errors"):
            # Bound to nothing typed: the codename is never held, not even encrypted.
            form = SignInForm({"codename": ""})
            form.is_valid()
            form.errors["codename"] = form.error_class(errors)
        context = {
            "form": form,
            "refused": "sign_in" if errors else "",
            "wait": held.get("wait", 0),
        }
        return _page(request, "portal/sign_in.html", context)
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _refused_sign_in(request, session, [str(e) for e in form.errors["codename"]])
    client = throttle.client_of(request)
    wait = throttle.wait_for(("sign_in_client", client), ("sign_in_all", throttle.EVERYONE))
    if wait:
        return _refused_sign_in(request, session, [_too_many(wait)], wait)
    found = services.sign_in(form.cleaned_data["codename"])
    if found is None:
        wrong = translation.gettext(
            "This codename opens no request. Check each word and their order, then try again."
        )
        return _refused_sign_in(request, session, [wrong])
    response = _go(request, "portal:inbox")
    with transaction.atomic():
        sessions.end(session, response)
        language = translation.get_language()
        sessions.start(response, language=language, case=found.case, duress=found.duress)
        if found.duress:
            services.duress_signed_in(case=found.case)
        else:
            services.signed_in(case=found.case)
    return response


def _refused_sign_in(request, session, errors: list[str], wait: int = 0) -> HttpResponse:
    """Back to the sign-in page with why; what was typed is not kept anywhere."""
    response = _go(request, "portal:sign_in")
    if session is None:
        session = _held_session(response)
    if session is not None:
        sessions.hold(session, errors=errors, wait=wait)
    return response


@signed_in_page
@require_GET
def inbox(request, session):
    case = session.case
    held = sessions.take(session)
    messages = conversations.conversation(case)
    conversations.person_reads(case=case)
    context = {
        "conversation": messages,
        "form": _held_form(MessageForm, held),
        "checkins": services.open_checkins(case, duress=session.duress),
        "offer_duress": not services.has_duress_codename(case),
        "sent": held.get("sent", False),
        "safe": held.get("safe", False),
        "wait": held.get("wait", 0),
        "reference": case.reference,
    }
    return _page(request, "portal/inbox.html", context)


@signed_in_page
@require_POST
def write(request, session):
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _refused(request, session, "portal:inbox", form)
    wait = throttle.wait_for(
        ("message_case", str(session.case_id)), ("message_all", throttle.EVERYONE)
    )
    if wait:
        return _refused(request, session, "portal:inbox", form, wait=wait)
    conversations.person_writes(
        case=session.case, body=form.cleaned_data["body"], under_duress=session.duress
    )
    response = _go(request, "portal:inbox")
    sessions.hold(session, sent=True)
    return response


@signed_in_page
@require_POST
def checkin(request, session, checkin_id: int):
    if not services.checkin_safe(case=session.case, checkin_id=checkin_id, duress=session.duress):
        raise Http404
    response = _go(request, "portal:inbox")
    sessions.hold(session, safe=True)
    return response


@signed_in_page
@require_http_methods(["GET", "POST"])
def duress(request, session):
    """A second codename for when someone forces them to sign in."""
    if request.method == "GET" or services.has_duress_codename(session.case):
        offer = not services.has_duress_codename(session.case)
        return _page(request, "portal/duress.html", {"offer": offer})
    words = services.duress_codename_create(case=session.case, language=translation.get_language())
    response = _go(request, "portal:codename")
    if words is not None:
        sessions.hold(session, codename=words, duress=True)
    return response


@signed_in_page
@require_http_methods(["GET", "POST"])
def forget(request, session):
    form = ForgetForm(request.POST if request.method == "POST" else None)
    if request.method == "GET" or not form.is_valid():
        status = 400 if form.is_bound else 200
        return _page(request, "portal/forget.html", {"form": form}, status=status)
    if not services.forget(case=session.case, duress=session.duress):
        return _page(request, "portal/forget.html", {"form": form, "kept": True}, status=409)
    response = _go(request, "portal:forgotten")
    sessions.end(session, response)
    response["Clear-Site-Data"] = FORGET_THIS_SITE
    return response


@portal_page
@require_GET
def forgotten(request, session):
    return _page(request, "portal/forgotten.html", {})


@portal_page
@require_POST
def sign_out(request, session):
    response = _go(request, "portal:start")
    sessions.end(session, response)
    response["Clear-Site-Data"] = FORGET_THIS_SITE
    return response
