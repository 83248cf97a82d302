from django import template
from django.conf import settings
from django.forms import BaseForm, BooleanField
from django.forms.utils import ErrorList

register = template.Library()


@register.simple_tag
def site_title() -> str:
    """SITE_TITLE, for the 500 and 503 pages: they render without context processors."""
    return settings.SITE_TITLE


@register.inclusion_tag("_error_summary.html", takes_context=True)
def error_summary(context) -> dict:
    """List every error of the refused forms on this page, each linking to its field.

    A refused form on a phone comes back scrolled to the top: the reason has
    to be there (the GOV.UK error summary), not at the bottom of a long page.
    """
    request = context.get("request")
    # A page that names its summary answers something sent, even as the GET
    # a POST redirected to (a search sent without the script).
    title = context.get("error_summary_title")
    if request is None or (request.method != "POST" and not title):
        return {"errors": []}  # a bound GET form (a filter) refused nothing that was sent
    forms, seen = [], set()
    for value in context.flatten().values():
        if isinstance(value, BaseForm) and value.is_bound and id(value) not in seen:
            seen.add(id(value))
            if value.errors:
                forms.append(value)
    # A page whose form saves nothing (a search) names what was not done.
    return {"errors": [entry for form in forms for entry in _entries(form)], "title": title}


def _entries(form: BaseForm):
    visible = form.visible_fields()
    first = f"#{visible[0].auto_id}" if visible else ""
    for message in form.non_field_errors():
        yield {"href": first, "message": message}
    for bound in form:
        errors: ErrorList = bound.errors
        for message in errors:
            href = "" if bound.is_hidden else f"#{bound.auto_id}"
            # A checkbox's label is a sentence of its own; its message says enough.
            label = "" if isinstance(bound.field, BooleanField) else bound.label
            yield {"href": href, "label": label, "message": message}
