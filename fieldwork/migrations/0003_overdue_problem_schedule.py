"""Remind owners of overdue problems every day (declared in code, not clicked in the admin)."""

from django.db import migrations

NAME = "fieldwork.remind_overdue_problems"


def add_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={"func": "fieldwork.tasks.remind_overdue_problems", "schedule_type": "D", "repeats": -1},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0002_visits_problems_meetings_attendance"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
