"""Print the offline shell's first-load and repeat-load bytes and a village package's size (for bench/)."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from offline.bench import package_size, shell_sizes
from villages.models import Level


class Command(BaseCommand):
    help = "Bytes of the offline shell (first and repeat load) and of a village's offline package."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username whose pages and package are measured")
        parser.add_argument("--village", help="village code (default: the user's first village)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, user, village=None, **options):
        from offline.selectors import villages_for_package

        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"no user {user}")
        villages = villages_for_package(account)
        area = villages.filter(code=village).first() if village else villages.first()
        if area is None or area.level != Level.VILLAGE:
            raise CommandError("no such village in the user's scope")
        result = {"shell": shell_sizes(account), "package": package_size(account, area)}
        if options["json"]:
            self.stdout.write(_dumps(result))
            return
        s, p = result["shell"], result["package"]
        self.stdout.write(f"shell first load: {s['first_load_bytes']:,} B (static {s['static_bytes']:,} B)")
        self.stdout.write(f"shell repeat load: {s['repeat_load_bytes']:,} B (page HTML + sw.js)")
        self.stdout.write(
            f"package {p['village']}: {p['households']} households, {p['bytes']:,} B "
            f"({p['gzip_bytes']:,} B gzipped), built in {p['generation_ms']} ms"
        )


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
