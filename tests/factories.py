"""Factories shared by every app's tests."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Polygon

from villages.models import Area, Level, Person, RoleAssignment


def square(lon: float, lat: float, size: float = 0.01) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((lon, lat, lon + size, lat + size)), srid=4326)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("pw-for-tests-1")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    level = Level.VILLAGE
    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"测试村{n}")
    parent = None
    path = factory.LazyAttribute(lambda o: (o.parent.path if o.parent else "") + o.code + "/")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.user.first_name if o.user else "某人")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    person = factory.SubFactory(PersonFactory)
    area = factory.SubFactory(AreaFactory)
    role = "first_secretary"


def user_with_role(username: str, role: str, area: Area):
    """A log-in holding `role` at `area`."""
    user = UserFactory(username=username)
    person = Person.objects.filter(user=user).first() or PersonFactory(user=user)
    RoleFactory(person=person, area=area, role=role)
    return user
