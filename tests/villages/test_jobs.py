"""Saving data never depends on the broker: jobs wait in the outbox while Redis is down."""

import pytest
import redis
from django.db import transaction
from django_q.brokers.redis_broker import Redis as RedisBroker
from django_q.models import OrmQ

from villages.jobs import enqueue, outbox_flush
from villages.models import PendingJob, Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down(monkeypatch):
    """The Redis broker, pointed at a port where nothing listens: every push fails for real."""
    dead = RedisBroker(list_key="zhucun")
    dead.connection = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    monkeypatch.setattr("django_q.tasks.get_broker", lambda *a, **k: dead)
    return dead


def test_a_save_succeeds_and_its_job_is_kept_when_the_broker_is_down(broker_down):
    with transaction.atomic():
        person = Person.objects.create(name="谢志军")
        enqueue("villages.tasks.notify_users", [1], "k", "消息")
    assert Person.objects.filter(pk=person.pk).exists()
    job = PendingJob.objects.get()
    assert (job.func, job.args) == ("villages.tasks.notify_users", [[1], "k", "消息"])
    assert "Error" in job.error or "refused" in job.error.lower()
    # Still down: flushing keeps it and counts the attempt.
    assert outbox_flush() == 0
    assert PendingJob.objects.get().attempts == 1


def test_kept_jobs_are_sent_once_the_broker_is_back(broker_down, monkeypatch):
    with transaction.atomic():
        enqueue("villages.tasks.notify_users", [1], "k", "消息")
    monkeypatch.undo()  # the configured broker (ORM here, or Redis in CI) is reachable again
    assert outbox_flush() == 1
    assert not PendingJob.objects.exists()


def test_a_job_is_not_sent_when_its_transaction_rolls_back(settings):
    if settings.Q_CLUSTER.get("orm") is None:
        pytest.skip("counts the ORM broker's queue")
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("villages.tasks.notify_users", [1], "k", "消息")
        raise RuntimeError
    assert OrmQ.objects.count() == 0
