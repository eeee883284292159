"""Factories for fieldwork tests."""

import io

import factory
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from fieldwork.models import Household, Meeting, Member, Problem, Visit


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    number = factory.Sequence(lambda n: f"H{n:05d}")
    head_name = factory.Sequence(lambda n: f"陈{n}")
    location = factory.LazyAttribute(lambda o: Point(108.51, 32.41, srid=4326))


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"成员{n}")
    relation = "spouse"
    sex = "f"
    birth_year = 1970


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    village = factory.LazyAttribute(lambda o: o.household.village)
    visited_at = factory.LazyFunction(timezone.now)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    held_at = factory.LazyFunction(timezone.now)
    topics = "村务"


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    title = factory.Sequence(lambda n: f"问题{n}")
    raised_on = factory.LazyFunction(timezone.localdate)


def jpeg_upload(name="photo.jpg", size=(2400, 1800), color=(30, 120, 60), fmt="JPEG", content_type="image/jpeg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)
