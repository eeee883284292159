from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villages.importers import ImportRefused, import_areas
from villages.models import Level


class Command(BaseCommand):
    help = "Import area boundaries (GeoJSON, GeoPackage, zipped Shapefile); all features or none."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--level", required=True, choices=Level.values)
        parser.add_argument("--name-field", default="name")
        parser.add_argument("--code-field", default="code")
        parser.add_argument("--from-crs", default="wgs84", choices=["wgs84", "gcj02", "bd09"])
        parser.add_argument("--parent", help="code of the parent area (found by location when omitted)")

    def handle(self, *args, **options):
        try:
            imported = import_areas(
                path=options["file"],
                level=options["level"],
                name_field=options["name_field"],
                code_field=options["code_field"],
                from_crs=options["from_crs"],
                parent_code=options["parent"],
            )
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        for area in imported:
            self.stdout.write(f"{area.code}\t{area.name}\t{area.km2:,} km²\t{area.mu:,} " + _("mu"))
        self.stdout.write(self.style.SUCCESS(_("Imported %(count)d areas.") % {"count": len(imported)}))
