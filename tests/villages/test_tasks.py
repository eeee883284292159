import pytest
from django_q.models import Success
from django_q.tasks import async_task

from villages.models import Notification


@pytest.mark.django_db(transaction=True)
def test_a_real_cluster_runs_the_notification_job_once(personas, qcluster):
    ids = [personas.cadre_a.pk, personas.hq.pk, 999_999]
    async_task("villages.tasks.notify_users", ids, "test.kind", "有一项待办", "/", "job-1")
    async_task("villages.tasks.notify_users", ids, "test.kind", "有一项待办", "/", "job-1")
    qcluster(lambda: Success.objects.filter(func="villages.tasks.notify_users").count() >= 2)
    recipients = sorted(Notification.objects.filter(kind="test.kind").values_list("recipient__username", flat=True))
    assert recipients == ["cadre_a", "hq"]
