"""The daily overdue job, declared in code (not clicked in the admin)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations

NAME = "grievances.mark_overdue"


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    # 01:00 Beijing time, starting tomorrow: never fires while a test database is being built.
    tomorrow = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    first = datetime.combine(tomorrow, time(1, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": "grievances.tasks.mark_overdue",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": first,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0001_cases_parties_mediation"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
