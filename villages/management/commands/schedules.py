from django.core.management.base import BaseCommand

from villages import schedules


class Command(BaseCommand):
    help = "Write the scheduled jobs the apps declare (idempotent; every `migrate` does this too) and list them."

    def handle(self, *args, **options):
        from django_q.models import Schedule

        created = schedules.ensure()
        self.stdout.write(f"new: {', '.join(created)}" if created else "all declared schedules exist")
        for row in Schedule.objects.filter(name__in=schedules.declared_names()).order_by("name"):
            self.stdout.write(f"{row.name}\t{row.func}\t{row.schedule_type}\tnext {row.next_run:%Y-%m-%d %H:%M %Z}")
