"""The admin site in Russian: models, fields, columns, filters and stored codes all read Russian."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, Team
from audit.models import Action, AuditEvent
from audit.services import record
from retention.models import RetentionPolicy
from tests.factories import UserFactory

# Names that are the same in every language.
BRANDS = {"Telegram", "Signal", "WhatsApp"}


def project_models():
    """Every model of this project's own apps (not Django's, not a package's)."""
    base = Path(settings.BASE_DIR).resolve()
    ours = [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        # The virtualenv sits in the project directory too.
        and not Path(config.path).resolve().relative_to(base).parts[0].startswith(".")
    ]
    return [m for config in ours for m in config.get_models() if not m._meta.auto_created]


def in_english(text) -> str:
    with translation.override("en"):
        return str(text)


def in_russian(text) -> str:
    with translation.override("ru"):
        return str(text)


def has_cyrillic(text: str) -> bool:
    return re.search("[а-яё]", text, re.IGNORECASE) is not None


class VisibleText(HTMLParser):
    """What a person reads on the page: text and button labels, not markup or URLs."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.hidden += 1
        values = dict(attrs)
        if tag == "input" and values.get("type") in {"submit", "button"}:
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(response) -> str:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def english_words_in(text: str) -> list[str]:
    """Our models' English names and the codes the database stores, where they show."""
    names = set()
    for model in project_models():
        names |= {in_english(model._meta.verbose_name), in_english(model._meta.verbose_name_plural)}
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and len(value) > 2:
                    names.add(value)
    found = []
    for name in sorted(names):
        pattern = r"(?<![\w-])" + re.escape(name) + r"(?![\w-])"
        if re.search(pattern, text, re.IGNORECASE):
            found.append(name)
    return found


@pytest.mark.parametrize("model", project_models(), ids=lambda m: m._meta.label)
def test_it_names_every_model_field_and_choice_in_russian(model):
    opts = model._meta
    names = {"verbose_name": opts.verbose_name, "verbose_name_plural": opts.verbose_name_plural}
    untranslated = [
        f"{opts.label}: {what}"
        for what, text in names.items()
        if not has_cyrillic(in_russian(text))
    ]
    for field in opts.get_fields():
        if field.auto_created or not getattr(field, "concrete", False) and not field.many_to_many:
            continue
        if not has_cyrillic(in_russian(field.verbose_name)):
            untranslated.append(f"{opts.label}.{field.name}: {in_english(field.verbose_name)}")
        enum = getattr(field, "choices_enum", None)
        choices = enum.choices if enum else field.flatchoices
        for value, label in choices:
            if in_english(label) not in BRANDS and not has_cyrillic(in_russian(label)):
                untranslated.append(f"{opts.label}.{field.name}={value}: {in_english(label)}")
    assert untranslated == []


@pytest.fixture
def russian_admin(db):
    """A superuser who reads Russian, so that every admin page of every model is open."""
    chief = UserFactory(
        username="chief", role=Role.ADMIN, is_staff=True, is_superuser=True, language="ru"
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the account's language wins
    client.force_login(chief)
    return client


@pytest.fixture
def admin_data(db):
    """One object of each registered model, with names that are no English word."""
    team = Team.objects.create(name="Север")
    coordinator = UserFactory(username="k1", role=Role.COORDINATOR, teams=[team])
    record(Action.VIEW, actor=coordinator, object_type="case", object_ref="AAAA-BBBB-CCCC")
    RetentionPolicy.current()
    return {"coordinator": coordinator}


def admin_pages():
    """(model, page) for each model of ours in the admin: its list, add form and one object."""
    ours = set(project_models())
    for model in admin.site._registry:
        if model not in ours:
            continue
        for page in ("changelist", "add", "change"):
            yield pytest.param(model, page, id=f"{model._meta.label}-{page}")


@pytest.mark.parametrize(("model", "page"), admin_pages())
def test_every_admin_page_of_ours_reads_russian(russian_admin, admin_data, model, page):
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_{page}"
    if page == "change":
        url = reverse(name, args=[model._default_manager.order_by("pk").first().pk])
    else:
        url = reverse(name)
    response = russian_admin.get(url)
    if page == "add" and response.status_code == 403:
        pytest.skip("nobody adds these here")
    assert response.status_code == 200
    assert '<html lang="ru"' in response.content.decode()
    assert "---------" not in response.content.decode()
    text = visible(response)
    assert english_words_in(text) == []
    assert re.search(r"\b(Add|Select|Change|View|users?|results?)\b", text) is None, text


def test_the_user_list_speaks_russian_grammar(russian_admin, admin_data):
    text = visible(russian_admin.get("/admin/accounts/user/"))
    assert "Выберите для изменения: учётная запись" in text
    assert "Добавить: учётная запись" in text
    assert "Фильтр: роль" in text and "Фильтр: команды" in text
    assert "2 записи" in text  # not "2 users", nor "2 учётные записи"
    assert "Координатор" in text and "Администратор" in text
    assert "Выберите действие" in text


def test_the_add_user_form_names_its_empty_choices(russian_admin, admin_data):
    text = visible(russian_admin.get("/admin/accounts/user/add/"))
    assert "Добавление: учётная запись" in text
    assert "Выберите роль" in text


def test_a_saved_user_is_reported_in_russian(russian_admin, admin_data):
    user = admin_data["coordinator"]
    response = russian_admin.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": user.username,
            "role": Role.CASEWORKER,
            "teams": [t.pk for t in user.teams.all()],
            "is_active": "on",
            "language": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
        follow=True,
    )
    page = response.content.decode()
    assert re.search(r"Изменено: учётная запись «<a [^>]+>k1</a>»\.", page), page


def test_the_trail_shows_labels_not_codes(russian_admin, admin_data):
    text = visible(russian_admin.get("/admin/audit/auditevent/"))
    assert "Выберите для просмотра: событие аудита" in text
    assert "Координатор" in text  # the actor's role, stored as "coordinator"
    assert "Дело" in text  # the kind of object, stored as "case"
    assert "Просмотр" in text  # the action, stored as "view"
    assert "Фильтр: тип объекта" in text
    for code in ("coordinator", "case", "view"):
        assert re.search(rf"\b{code}\b", text) is None, code


def test_an_event_is_titled_by_its_labels(russian_admin, admin_data):
    event = AuditEvent.objects.get(object_ref="AAAA-BBBB-CCCC")
    text = visible(russian_admin.get(f"/admin/audit/auditevent/{event.pk}/change/"))
    assert "Просмотр: событие аудита" in text
    assert "Просмотр · Дело · AAAA-BBBB-CCCC" in text


def test_the_role_filter_of_the_trail_still_filters(russian_admin, admin_data):
    record(Action.SIGN_IN, actor=UserFactory(username="o1", role=Role.OPERATOR))
    text = visible(russian_admin.get("/admin/audit/auditevent/?actor_role=operator"))
    assert "Вход" in text and "AAAA-BBBB-CCCC" not in text


def test_the_retention_policy_reads_russian(russian_admin, admin_data):
    text = visible(russian_admin.get("/admin/retention/retentionpolicy/1/change/"))
    assert "Изменение: правила хранения" in text
    assert "закрытые дела:" in text
