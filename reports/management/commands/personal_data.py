import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.privacy import AnonymiseRefused, subject_anonymise, subject_export
from villages.models import Area


class Command(BaseCommand):
    help = "Export (as JSON) or anonymise everything held about a person, found by ID number (PIPL)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "anonymise"])
        parser.add_argument("--id-number", required=True)
        parser.add_argument("--village", help="village code, to narrow the search of household members")
        parser.add_argument("--operator", required=True, help="user name of the official handling the request")

    def handle(self, *args, **options):
        actor = get_user_model().objects.filter(username=options["operator"], is_active=True).first()
        if actor is None:
            raise CommandError(_("No active user %(name)s.") % {"name": options["operator"]})
        village = None
        if options["village"]:
            village = Area.objects.filter(code=options["village"]).first()
            if village is None:
                raise CommandError(_("No area has the code %(code)s.") % {"code": options["village"]})
        if options["action"] == "export":
            data = subject_export(actor=actor, id_number=options["id_number"], village=village)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        try:
            subject = subject_anonymise(actor=actor, id_number=options["id_number"], village=village)
        except AnonymiseRefused as exc:
            raise CommandError(str(exc)) from exc
        if subject.empty:
            raise CommandError(_("Nothing is held under this ID number."))
        self.stdout.write(
            _("Anonymised: %(h)d households, %(m)d members, %(p)d dispute parties.")
            % {"h": len(subject.households), "m": len(subject.members), "p": len(subject.parties)}
        )
