from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.tasks import async_task

from grievances.models import Case
from tests.grievances.factories import make_case
from villages.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_runs_the_overdue_job_in_a_real_qcluster(qcluster, personas, tree):
    case = make_case(personas.cadre_a, tree.village_a, received_on=timezone.localdate() - timedelta(days=30))
    async_task("grievances.tasks.mark_overdue")
    qcluster(lambda: Case.objects.get(pk=case.pk).overdue, timeout=60)
    assert Notification.objects.filter(recipient=personas.township, kind="grievances.case.overdue").exists()
