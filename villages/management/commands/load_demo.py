from importlib import import_module, util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from villages.demo import DEMO_PASSWORD, PEOPLE


class Command(BaseCommand):
    help = "Load the Dalian village demo data set; running it again changes nothing."

    def handle(self, *args, **options):
        with transaction.atomic():
            # Each app that has a `demo` module contributes, in INSTALLED_APPS order.
            for config in apps.get_app_configs():
                name = f"{config.name}.demo"
                if util.find_spec(name) is not None:
                    import_module(name).load(stdout=self)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready."))
        self.stdout.write(f"演示账号 / demo log-ins (密码 password: {DEMO_PASSWORD}):")
        self.stdout.write("  admin  系统管理员 / administrator")
        for username, name, _org, title, role, _area in PEOPLE:
            self.stdout.write(f"  {username:<12} {name} · {title} ({role.label})")

    def write(self, message: str) -> None:
        self.stdout.write(f"  {message}")
