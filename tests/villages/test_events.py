"""The event log: append-only, scoped to areas, shown as a timeline."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from villages.models import Event, Notification
from villages.selectors import events_for
from villages.services import log_event, notify

pytestmark = pytest.mark.django_db


def test_it_logs_an_event_with_actor_area_and_target(personas, tree):
    event = log_event("villages.test.done", tree.village_a, personas.cadre_a, {"n": 1}, message="完成测试")
    assert (event.kind, event.actor, event.area, event.target, event.data) == (
        "villages.test.done",
        personas.cadre_a,
        tree.village_a,
        tree.village_a,
        {"n": 1},
    )
    assert list(events_for(tree.village_a)) == [event]


def test_an_event_cannot_be_changed(personas, tree):
    event = log_event("villages.test.done", tree.village_a, personas.cadre_a)
    event.kind = "villages.test.rewritten"
    with pytest.raises(ValidationError):
        event.save()
    assert Event.objects.get(pk=event.pk).kind == "villages.test.done"


def test_the_area_page_shows_its_timeline_only_to_those_in_scope(client_as, personas, tree):
    log_event("villages.test.done", tree.village_a, personas.cadre_a, message="召开村务会")
    assert "召开村务会" in client_as("cadre_a").get(reverse("villages:area_detail", args=[tree.village_a.pk])).text
    assert "召开村务会" not in client_as("township").get(reverse("villages:area_detail", args=[tree.village_b.pk])).text


def test_notifications_are_deduplicated_and_can_be_read(client_as, personas):
    first = notify(recipient=personas.cadre_a, kind="k", message="案件已超期", dedupe_key="case-1-2026-11-26")
    again = notify(recipient=personas.cadre_a, kind="k", message="案件已超期", dedupe_key="case-1-2026-11-26")
    assert first is not None and again is None
    client = client_as("cadre_a")
    assert "案件已超期" in client.get(reverse("villages:notification_list")).text
    client.post(reverse("villages:notification_read_all"))
    assert not Notification.objects.filter(recipient=personas.cadre_a, read_at__isnull=True).exists()


def test_the_database_refuses_to_rewrite_an_event(personas, tree):
    from django.conf import settings
    from django.db import DatabaseError, connection, transaction

    event = log_event("villages.test.done", tree.village_a, personas.cadre_a)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE villages_event SET kind = 'forged' WHERE id = %s", [event.pk])
    if settings.DATABASE_IS_POSTGIS:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM villages_event WHERE id = %s", [event.pk])
    assert Event.objects.get(pk=event.pk).kind == "villages.test.done"


@pytest.mark.django_db
def test_logging_an_event_does_not_reread_the_rows_it_was_given(tree, personas, django_assert_num_queries):
    log_event("villages.test.warm", tree.village_a, personas.cadre_a)  # content type cached
    with django_assert_num_queries(1):  # the INSERT alone
        log_event("villages.test.checked", tree.village_a, personas.cadre_a, {"n": 1})
