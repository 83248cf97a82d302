"""Key pages, their errors and the reminder e-mail, in Russian, with no English left over."""

import html
from datetime import timedelta

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Authenticator
from intake.models import CheckIn
from reminders.models import Kind, Notification
from reminders.services import send_digests
from tests.factories import PASSWORD, CaseFactory

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(scope="module")
def english_phrases():
    """Every catalogued English phrase whose Russian differs: none may show on a Russian page."""
    po = polib.pofile(str(settings.BASE_DIR / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    return [
        e.msgid
        for e in po
        if " " in e.msgid and "%" not in e.msgid and e.msgstr and e.msgstr != e.msgid
    ]


@pytest.fixture
def in_russian(english_phrases):
    """Check a Russian page: the phrases expected are there, and no English phrase is."""

    def check(response, *expected, status=200):
        assert response.status_code == status
        assert response["Content-Language"] == "ru"
        text = html.unescape(response.content.decode())
        assert '<html lang="ru">' in text
        for phrase in expected:
            assert phrase in text
        assert [p for p in english_phrases if p in text] == []
        return text

    return check


def russian_speaker(user) -> Client:
    user.language = "ru"
    user.save()
    client = Client(**ENGLISH_BROWSER)  # the account's choice wins over the browser
    client.force_login(user)
    return client


def test_the_case_list(in_russian, caseworker, team_a):
    CaseFactory(team=team_a, alias="Heron", device_compromised_at=timezone.now())
    response = russian_speaker(caseworker).get(reverse("intake:case_list"))
    text = in_russian(
        response,
        "<h1>Дела</h1>",
        "Записать новое обращение",
        "Фильтры и сортировка",
        "сначала высокий риск",
        "устройство скомпрометировано",
        "Средний",  # risk label
        "Чечня",  # region label
        "Новое",  # status label
        "Срочный выход",
        "1 дело",
    )
    assert "Cases" not in text


def test_the_case_detail(in_russian, caseworker, case):
    CheckIn.objects.create(case=case, due_at=timezone.now() - timedelta(hours=1))
    response = russian_speaker(caseworker).get(reverse("intake:case_detail", args=[case.reference]))
    in_russian(
        response,
        "Работа с делом",
        "Выходы на связь",
        "Выйти на связь до",
        "пропущен",
        "Задержание или пытки со стороны полиции",  # threat
        "Место, где укрыться",  # need
        "Сменить статус",
        "Новый статус",  # form label, capitalised by the template
        "Хронология",
        "Добавить заметку",
    )


def test_the_intake_form_and_its_errors(in_russian, operator, team_a):
    client = russian_speaker(operator)
    in_russian(client.get(reverse("intake:case_create")), "Новое обращение за помощью")
    response = client.post(
        reverse("intake:case_create"), {"team": team_a.pk, "narrative": "bell \x07 here"}
    )
    text = in_russian(
        response,
        "Псевдоним",
        "Канал связи",
        "Обязательное поле.",  # Django's own catalogue
        "Удалите из текста невидимые управляющие символы.",
        "Записать обращение",
        status=400,
    )
    assert "This field is required." not in text


def test_the_sign_in_page_and_its_error(in_russian, db):
    client = Client(**ENGLISH_BROWSER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    text = in_russian(client.get(reverse("login")), "Войти", "Имя пользователя", "Пароль")
    assert "Sign in" not in text
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    in_russian(response, "Имя пользователя и пароль не подходят ни к одной")


def test_the_second_factor_page_and_its_error(in_russian, caseworker):
    caseworker.language = "ru"
    caseworker.save()
    Authenticator.objects.create(user=caseworker, name="phone", confirmed=True)
    client = Client(**ENGLISH_BROWSER)
    client.post(reverse("login"), {"username": "caseworker", "password": PASSWORD})
    in_russian(client.get(reverse("two_factor_verify")), "Введите код", "Продолжить")
    response = client.post(reverse("two_factor_verify"), {"token": "000000"})
    in_russian(response, "Код неверный или уже использован.", status=400)


def test_a_missing_page(in_russian, caseworker):
    response = russian_speaker(caseworker).get("/cases/AAAA-AAAA-AAAA/")
    assert response.status_code == 404
    assert "Здесь ничего нет, или у вас нет доступа." in response.content.decode()


class TestReminderEmail:
    def notify(self, user, case, how_many):
        for i in range(how_many):
            Notification.objects.create(user=user, kind=Kind.FOLLOW_UP, key=f"k{i}", case=case)

    def test_it_speaks_each_recipients_language(self, team_a, caseworker, coordinator, case):
        caseworker.email, caseworker.language = "cw@example.org", "ru"
        caseworker.save()
        coordinator.email = "co@example.org"  # no choice: the site's default
        coordinator.save()
        self.notify(caseworker, case, 1)
        self.notify(coordinator, case, 2)
        with translation.override("ru"):  # a worker's leftover language must not leak
            assert send_digests() == 2
        sent = {m.to[0]: m for m in mail.outbox}
        russian, english = sent["cw@example.org"], sent["co@example.org"]
        assert russian.subject == "Corridor: у вас 1 напоминание"
        assert "Corridor: у вас 1 напоминание." in russian.body
        assert "item" not in russian.subject + russian.body
        assert english.subject == "You have 2 items due in Corridor"

    @pytest.mark.parametrize(
        ("count", "subject"),
        [
            (2, "Corridor: у вас 2 напоминания"),
            (5, "Corridor: у вас 5 напоминаний"),
            (21, "Corridor: у вас 21 напоминание"),
        ],
    )
    def test_its_plural_forms(self, caseworker, case, count, subject):
        caseworker.email, caseworker.language = "cw@example.org", "ru"
        caseworker.save()
        self.notify(caseworker, case, count)
        send_digests()
        assert mail.outbox[0].subject == subject
