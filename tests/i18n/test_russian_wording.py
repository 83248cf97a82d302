"""Russian that reads as Russian: named empty choices, actions on buttons, words that fit."""

import html
import re
from datetime import timedelta

import polib
import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from accounts.admin import CorridorUserCreationForm
from accounts.forms import LanguageForm
from accounts.models import Role, User
from evacuations import services as evacuation_services
from evacuations.forms import CompleteForm, DocumentsForm, FailForm, LegForm, PlanForm
from evacuations.models import DocumentStatus, LegKind
from evacuations.status import LegStatus
from intake.choices import Need
from intake.filters import CaseFilter
from intake.forms import AssignForm, CaseForm, IntakeForm, RouteForm, StatusForm, VerificationForm
from intake.models import Case, CheckIn
from intake.status import Status
from referrals.forms import PartnerForm, ReferralForm
from referrals.routing import rank_partners
from referrals.services import referral_move
from retention.forms import ForgetForm
from tests.factories import CaseFactory, PartnerFactory, ReferralFactory, TeamFactory, UserFactory

PO = settings.BASE_DIR / "locale" / "ru" / "LC_MESSAGES" / "django.po"
EMPTY_OPTION = re.compile(r'<option value=""[^>]*>([^<]*)</option>')


def page_text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def russian_client(user) -> Client:
    user.language = "ru"
    user.save()
    client = Client()
    client.force_login(user)
    return client


def english_client(user) -> Client:
    user.language = "en"
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def active_case(case, caseworker):
    case.move_to(Status.VERIFYING, by=caseworker)
    case.move_to(Status.ACTIVE, by=caseworker)
    return case


@pytest.fixture
def plan(active_case, caseworker):
    return evacuation_services.plan_open(
        case=active_case, data={"destination_country": "GE", "destination_city": ""}, by=caseworker
    )


def add_leg(plan, by, kind=LegKind.TRAVEL):
    today = timezone.localdate()
    data = {
        "kind": kind,
        "partner_kind": "",
        "referral": None,
        "planned_start": today,
        "planned_end": today + timedelta(days=2),
        "details": "",
        "partner_details": "",
    }
    return evacuation_services.leg_add(plan=plan, data=data, by=by)


def admin_form(user):
    """The change form the admin site builds for this user (UserChangeForm alone is auth's)."""
    request = RequestFactory().get("/")
    request.user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    form_class = admin.site._registry[User].get_form(request, user)
    return form_class(instance=user)


@pytest.fixture
def every_select(team_a, coordinator, case, plan):
    """Each form with a select, as the pages build it (two teams, so team is a select)."""
    coordinator.teams.add(TeamFactory(name="Команда Б"))
    people = User.objects.all()
    return {
        "intake": lambda: IntakeForm(user=coordinator),
        "case": lambda: CaseForm(instance=case),
        # Only the closure reason: the "move to" select is being reworked on its own.
        "status": lambda: StatusForm(case=case)["closure_reason"],
        "assign": lambda: AssignForm(assignees=people),
        "verification": lambda: VerificationForm(),
        "case filter": lambda: CaseFilter({}, queryset=Case.objects.all(), assignees=people).form,
        "partner": lambda: PartnerForm(user=coordinator),
        "referral": lambda: ReferralForm(),
        "route": lambda: RouteForm(),
        "plan": lambda: PlanForm(),
        "leg": lambda: LegForm(plan=plan),
        "fail": lambda: FailForm(),
        "complete": lambda: CompleteForm(),
        "documents": lambda: DocumentsForm(documents=plan.documents.all()),
        "forget": lambda: ForgetForm(reference=case.reference),
        "language": lambda: LanguageForm(),
        "admin: new user": lambda: CorridorUserCreationForm(),
        "admin: user": lambda: admin_form(coordinator),
    }


@pytest.mark.parametrize("language", ["ru", "en"])
def test_it_names_the_empty_choice_of_every_select(every_select, language):
    with translation.override(language):
        rendered = {name: str(make()) for name, make in every_select.items()}
    assert [name for name, markup in rendered.items() if "---------" in markup] == []
    empty = {name: EMPTY_OPTION.findall(markup) for name, markup in rendered.items()}
    assert [name for name, labels in empty.items() if any(not t.strip("—- ") for t in labels)] == []


def test_the_empty_choices_say_what_they_mean_in_russian(every_select):
    with translation.override("ru"):
        empty = {name: EMPTY_OPTION.findall(str(make())) for name, make in every_select.items()}
    assert empty["case filter"] == [
        "любой статус",
        "любой риск",
        "любой регион",
        "любой или без ответственного",
        "любая потребность",
        "любая",
    ]
    assert empty["intake"][0] == "Выберите команду"
    assert empty["assign"] == ["Никто: без ответственного"]
    assert empty["leg"] == ["Не выбрано", "Партнёр не нужен", "Партнёр ещё не выбран"]
    assert empty["status"] == empty["complete"] == ["Не выбрано"]
    assert empty["admin: new user"] == ["Выберите роль"]
    assert empty["admin: user"] == ["Как в браузере", "Выберите роль"]


def test_it_counts_open_referrals_and_free_places_with_real_plurals(db):
    case = CaseFactory(region="dagestan")
    partner = PartnerFactory(name="Busy", capacity=1)

    def reasons(language):
        with translation.override(language):
            (ranked,) = rank_partners(case, "shelter")
            return [reason for _, reason in ranked.reasons]

    referral_move(referral=ReferralFactory(partner=partner), to="sent", by=None)
    assert "1 open referral" in reasons("en") and "has 1 free place" in reasons("en")
    assert "1 открытое направление" in reasons("ru") and "свободно 1 место" in reasons("ru")
    referral_move(referral=ReferralFactory(partner=partner), to="sent", by=None)
    assert "2 open referrals" in reasons("en")
    assert "2 открытых направления" in reasons("ru")
    for _ in range(3):
        referral_move(referral=ReferralFactory(partner=partner), to="sent", by=None)
    assert "5 открытых направлений" in reasons("ru")


def test_leg_buttons_are_actions_and_its_states_are_states(caseworker, plan):
    planned = add_leg(plan, caseworker)
    moving = add_leg(plan, caseworker)
    evacuation_services.leg_start(leg=moving, by=caseworker)
    url = reverse("evacuations:plan_detail", args=[plan.reference])

    text = page_text(russian_client(caseworker).get(url))
    buttons = re.findall(r"<button[^>]*>([^<]*)</button>", text)
    assert "Начать этап" in buttons and "Подтвердить прибытие" in buttons
    assert "Выполняется" not in buttons and "Прибытие подтверждено" not in buttons
    assert '<span class="tag">Запланирован</span>' in text
    assert '<span class="tag">Выполняется</span>' in text
    assert "Подтвердить прибытие до" in text  # not "Прибытие подтвердить до"
    assert "Сроки по плану" in text
    assert "Поездка · " in text  # the leg kind: a journey, not a relocation

    text = page_text(english_client(caseworker).get(url))
    buttons = re.findall(r"<button[^>]*>([^<]*)</button>", text)
    assert "Start the leg" in buttons and "Confirm arrival" in buttons
    assert "Under way" not in buttons and "Arrival confirmed" not in buttons
    assert planned.status == LegStatus.PLANNED


def test_the_case_page_buttons_are_actions(caseworker, case):
    CheckIn.objects.create(case=case, due_at=timezone.now() + timedelta(hours=3))
    url = reverse("intake:case_detail", args=[case.reference])
    buttons = re.findall(
        r"<button[^>]*>([^<]*)</button>", page_text(russian_client(caseworker).get(url))
    )
    assert "Отметить выход на связь" in buttons
    assert "Отметить устройство как скомпрометированное" in buttons
    buttons = re.findall(
        r"<button[^>]*>([^<]*)</button>", page_text(english_client(caseworker).get(url))
    )
    assert "Mark as heard from" in buttons and "Heard from them" not in buttons
    assert "Mark the device as compromised" in buttons and "Device compromised" not in buttons


def test_travel_is_a_journey_and_relocation_a_move():
    with translation.override("ru"):
        assert str(LegKind.TRAVEL.label) == "Поездка"
        assert str(Need.RELOCATION_DOMESTIC.label) == "Переезд внутри страны"
        assert str(Need.RELOCATION_ABROAD.label) == "Переезд за границу"
        assert str(Status.RELOCATED.label) == "Переезд завершён"


def test_document_statuses_agree_with_any_document(caseworker, plan):
    with translation.override("ru"):
        labels = [str(label) for label in DocumentStatus.labels]
    # Beside "Виза", "Билеты" or "Загранпаспорт": no masculine "Нужен" or "Готов".
    assert labels == ["Нужно оформить", "Заявка подана", "На руках", "Не требуется"]
    url = reverse("evacuations:plan_detail", args=[plan.reference])
    text = page_text(russian_client(caseworker).get(url))
    assert "Нужно оформить" in text and "Нужен<" not in text


def test_a_check_in_never_sounds_like_a_phone_call():
    """Next to "never call; relatives listen", a check-in must not be a "звонок"."""
    po = polib.pofile(str(PO))
    about_check_ins = [e for e in po if re.search(r"check-in|heard from", e.msgid, re.IGNORECASE)]
    assert len(about_check_ins) > 10
    texts = [e.msgstr or " ".join(e.msgstr_plural.values()) for e in about_check_ins]
    assert [t for t in texts if "звон" in t.lower()] == []
    assert [t for t in texts if t and "на связь" not in t] == []
    readme = (settings.BASE_DIR / "locale" / "README.md").read_text()
    assert "| check-in | выход на связь" in readme


def test_the_case_list_says_how_long_since_the_request(caseworker, case):
    text = page_text(russian_client(caseworker).get(reverse("intake:case_list")))
    assert "С момента обращения" in text and "Давность" not in text


def test_the_decline_reason_is_asked_only_when_declining(partner, partner_org, case, caseworker):
    referral = ReferralFactory(case=case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=caseworker)
    text = page_text(russian_client(partner).get(f"/partner/{referral.reference}/"))
    details = re.search(r"<details>\s*<summary>Отклонить…</summary>(.*?)</details>", text, re.S)
    assert details and "Причина отказа" in details.group(1)
    assert "Причина отказа" not in text.replace(details.group(0), "")
    assert "отклонено" not in text.lower()
    # The caseworker's page of a referral never declined says nothing of a decline.
    detail = reverse("referrals:referral_detail", args=[referral.reference])
    assert "Причина отказа" not in page_text(russian_client(caseworker).get(detail))


def test_an_empty_decline_reason_reopens_the_form_and_says_what_is_missing(
    partner, partner_org, case, caseworker
):
    referral = ReferralFactory(case=case, partner=partner_org)
    referral_move(referral=referral, to="sent", by=caseworker)
    client = russian_client(partner)
    response = client.post(f"/partner/{referral.reference}/decline/", {"note": ""})
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "<details open>" in text and "Причина отказа" in text


def test_the_idle_warning_does_not_say_you_were_away(caseworker):
    ru = page_text(russian_client(caseworker).get(reverse("intake:case_list")))
    assert 'data-idle-warning="Давно нет активности: через минуту' in ru
    assert "Вас давно не было" not in ru
    en = page_text(english_client(caseworker).get(reverse("intake:case_list")))
    assert 'data-idle-warning="No activity for a while: this page closes in a minute' in en
    assert "You have been away" not in en


def test_the_terms_table_names_the_new_terms():
    readme = (settings.BASE_DIR / "locale" / "README.md").read_text()
    for row in (
        "| travel (a leg of an evacuation) | поездка |",
        "| relocation (a need, a status) | переезд |",
        "| reason for declining | причина отказа |",
    ):
        assert row in readme


def test_reminders_are_marked_done_by_an_action(coordinator, case):
    from reminders.models import Kind, Notification

    Notification.objects.create(user=coordinator, kind=Kind.FOLLOW_UP, key="k", case=case)
    text = page_text(russian_client(coordinator).get(reverse("reminders:notification_list")))
    assert "Отметить выполненным" in text


@pytest.mark.django_db
def test_a_partners_active_flag_is_not_a_case_status_in_russian(client, coordinator, partner_org):
    coordinator.language = "ru"
    coordinator.save()
    client.force_login(coordinator)
    page = client.get(reverse("referrals:partner_list")).content.decode()
    assert "Активен" in page
    assert "В работе" not in page  # "Active" as a case status
