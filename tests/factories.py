import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role, Team, User
from crypto.blind_index import blind_index
from intake.choices import Channel, Region, Risk
from intake.models import Case, Note

PASSWORD = "a long enough test passphrase"


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CASEWORKER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
        self.save()


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = Case

    team = factory.SubFactory(TeamFactory)
    alias = factory.Sequence(lambda n: f"Alias {n}")
    contact_channel = Channel.TELEGRAM
    contact_handle = factory.Sequence(lambda n: f"@handle_{n}")
    handle_index = factory.LazyAttribute(lambda o: blind_index(o.contact_handle))
    region = Region.CHECHNYA
    risk = Risk.MEDIUM
    needs = factory.LazyFunction(lambda: ["shelter"])
    threats = factory.LazyFunction(lambda: ["police_detention"])
    languages = factory.LazyFunction(lambda: ["ru"])
    narrative = "A story."


class NoteFactory(DjangoModelFactory):
    class Meta:
        model = Note

    case = factory.SubFactory(CaseFactory)
    body = "A note."


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = "referrals.Partner"

    name = factory.Sequence(lambda n: f"Partner {n}")
    team = factory.SubFactory(TeamFactory)
    kind = "shelter"
    services = factory.LazyFunction(lambda: ["shelter"])
    regions = factory.LazyFunction(lambda: ["chechnya"])
    countries = factory.LazyFunction(lambda: ["RU"])
    languages = factory.LazyFunction(lambda: ["ru"])
    capacity = None
    ack_deadline_hours = 24
    contact_details = "Signal: +00 000"


class ReferralFactory(DjangoModelFactory):
    class Meta:
        model = "referrals.Referral"

    case = factory.SubFactory(CaseFactory)
    partner = factory.SubFactory(PartnerFactory)
    service = "shelter"
    summary = "Needs a safe place for two weeks."
    shared_fields = factory.LazyFunction(lambda: ["alias", "needs"])
    consent_given = True
    consent_at = factory.LazyFunction(timezone.now)
    consent_channel = "messenger"
