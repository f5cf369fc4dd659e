"""factory-boy factories shared by the test suites of every app."""

from __future__ import annotations

from typing import Any

import factory

from linsek.accounts.models import Role, User
from linsek.agencies.models import Organisation, OrganisationType, Person
from linsek.core.codes import Level
from linsek.regions.models import PollingStation, Region


class RegionFactory(factory.django.DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{90 + n % 9}")
    name = factory.Sequence(lambda n: f"Wilayah {n}")
    level = Level.PROVINCE.value
    kind = Region.Kind.PROVINCE


class PollingStationFactory(factory.django.DjangoModelFactory[PollingStation]):
    class Meta:
        model = PollingStation

    village: Any = None
    number = factory.Sequence(lambda n: n % 999 + 1)
    code = factory.LazyAttribute(lambda o: f"{o.village.code}.{o.number:03d}")
    district = factory.LazyAttribute(lambda o: o.village.parent)
    regency = factory.LazyAttribute(lambda o: o.village.parent.parent)
    province = factory.LazyAttribute(lambda o: o.village.parent.parent.parent)
    voters_male = 120
    voters_female = 125
    voters_total = 245


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisasi {n}")
    type = factory.LazyFunction(lambda: OrganisationType.objects.get(code="polsek"))


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    full_name = factory.Sequence(lambda n: f"Personel {n}")
    key = factory.LazyAttribute(lambda o: f"org:{o.organisation.code}:{o.full_name.lower()}")
    phone = factory.Sequence(lambda n: f"08123{n:07d}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("rahasia-uji-123")

    @factory.post_generation
    def role_codes(self: Any, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.roles.set(Role.objects.filter(code__in=extracted))
