from django.core.management.base import BaseCommand
from django.utils import timezone

from villages import schedules


class Command(BaseCommand):
    help = "Write the scheduled jobs the apps declare (idempotent; every `migrate` does this too) and list them."

    def handle(self, *args, **options):
        from django_q.models import Schedule

        created = schedules.ensure()
        self.stdout.write(
            f"新建 / new: {', '.join(created)}" if created else "定时任务齐全 / all declared schedules exist"
        )
        for row in Schedule.objects.filter(name__in=schedules.declared_names()).order_by("name"):
            next_run = timezone.localtime(row.next_run)  # Beijing time, as the schedules are declared
            self.stdout.write(f"{row.name}\t{row.func}\t{row.schedule_type}\t{next_run:%Y-%m-%d %H:%M}")
