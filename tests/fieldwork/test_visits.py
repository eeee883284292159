"""Visits: GPS with and without, poor accuracy, out-of-village points, future dates, duplicate UUIDs."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fieldwork import services
from fieldwork.models import FollowUp, GuaranteeCheck, Photo, Problem, Visit
from tests.fieldwork.factories import jpeg_upload
from villages.models import Event

pytestmark = pytest.mark.django_db


def _post(client, household, **extra):
    data = {
        "household": household.pk,
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "purpose": "routine",
        "findings": "房屋安全，饮水正常",
        **extra,
    }
    return client.post(reverse("fieldwork:visit_create"), data)


def test_it_logs_a_visit_without_gps(client_as, households):
    response = _post(client_as("cadre_a"), households.a1)
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("fieldwork:visit_detail", args=[visit.pk])
    assert visit.location is None and not visit.gps_poor and not visit.outside_village
    assert Event.objects.filter(kind="fieldwork.visit.recorded").count() == 1


def test_it_logs_a_visit_with_a_good_fix_inside_the_village(client_as, households):
    _post(client_as("cadre_a"), households.a1, lon="108.52", lat="32.42", accuracy="8")
    visit = Visit.objects.get()
    assert (round(visit.location.x, 2), visit.accuracy_m) == (108.52, 8)
    assert not visit.gps_poor and not visit.outside_village


def test_it_flags_a_poor_fix_and_a_point_outside_the_village_but_saves_the_visit(client_as, households):
    response = _post(client_as("cadre_a"), households.a1, lon="108.70", lat="32.70", accuracy="300")
    visit = Visit.objects.get()
    assert visit.gps_poor and visit.outside_village
    page = client_as("cadre_a").get(response["Location"]).content.decode()
    assert "村界" in page or "outside" in page


def test_it_refuses_gps_values_out_of_range_and_saves_nothing(client_as, households):
    response = _post(client_as("cadre_a"), households.a1, lon="200", lat="32.4", accuracy="5")
    assert response.status_code == 200
    assert Visit.objects.count() == 0
    assert "超出范围" in response.content.decode()


def test_it_refuses_a_visit_dated_in_the_future(client_as, households):
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = _post(client_as("cadre_a"), households.a1, visited_at=future)
    assert response.status_code == 200
    assert Visit.objects.count() == 0
    assert "晚于现在" in response.content.decode()


def test_it_answers_404_for_a_household_of_another_village(client_as, households):
    response = _post(client_as("cadre_b"), households.a1)
    assert response.status_code == 404
    assert Visit.objects.count() == 0


def test_a_resubmitted_form_with_the_same_uuid_returns_the_first_visit(client_as, households):
    client = client_as("cadre_a")
    key = str(uuid.uuid4())
    first = _post(client, households.a1, client_uuid=key)
    second = _post(client, households.a1, client_uuid=key)
    assert Visit.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_it_saves_checks_follow_ups_photos_and_a_one_tap_problem(client_as, households):
    client = client_as("cadre_a")
    _post(
        client,
        households.a1,
        check_housing="risk",
        check_water="ok",
        needs="屋顶漏雨",
        follow_up="联系危房改造",
        follow_up_owner="谢志军",
        follow_up_due="2030-01-01",
        raise_problem="on",
        photos=jpeg_upload(),
    )
    visit = Visit.objects.get()
    check = GuaranteeCheck.objects.get(visit=visit)
    assert (check.housing, check.water, check.food) == ("risk", "ok", "")
    assert FollowUp.objects.get(visit=visit).owner_name == "谢志军"
    problem = Problem.objects.get(visit=visit)
    assert problem.title == "屋顶漏雨" and problem.source == "visit" and problem.household == households.a1
    photo = Photo.objects.get(visit=visit)
    assert max(photo.width, photo.height) == 1600


def test_the_service_refuses_a_uuid_used_by_another_user(personas, households):
    key = uuid.uuid4()
    now = timezone.now()
    services.visit_record(actor=personas.cadre_a, household=households.a1, visited_at=now, client_uuid=key)
    with pytest.raises(services.ClientUuidRefused):
        services.visit_record(actor=personas.hq, household=households.a1, visited_at=now, client_uuid=key)
    assert Visit.objects.count() == 1


def test_the_service_refuses_a_future_visit(personas, households):
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=personas.cadre_a, household=households.a1, visited_at=timezone.now() + timedelta(days=1)
        )
    assert Visit.objects.count() == 0


def test_the_visit_appears_on_the_household_page_with_its_photo(client_as, households):
    client = client_as("cadre_a")
    _post(client, households.a1, photos=jpeg_upload())
    page = client.get(reverse("fieldwork:household_detail", args=[households.a1.pk])).content.decode()
    photo = Photo.objects.get()
    assert reverse("fieldwork:photo_file", args=[photo.pk]) in page
    assert "房屋安全" in page


def test_a_photo_refused_after_its_file_was_written_leaves_no_file(personas, households, settings, monkeypatch):
    from pathlib import Path

    visit, _ = services.visit_record(actor=personas.cadre_a, household=households.a1, visited_at=timezone.now())

    def refuse(self, *args, **kwargs):
        raise ValidationError("refused")

    monkeypatch.setattr(Photo, "full_clean", refuse)
    with pytest.raises(ValidationError):
        services.photo_add(actor=personas.cadre_a, upload=jpeg_upload(size=(64, 48)), visit=visit)
    assert not Photo.objects.exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
