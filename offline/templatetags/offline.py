import json

from django import template
from django.urls import reverse
from django.utils.html import json_script
from django.utils.translation import gettext as _

from offline import shell

register = template.Library()


def strings() -> dict:
    """Every string the offline scripts show, translated on the server (the page is cached with them)."""
    return {
        "waiting": _("__N__ waiting to send"),
        "failed": _("__N__ not accepted"),
        "state_waiting": _("Waiting"),
        "state_sending": _("Sending"),
        "state_sent": _("Sent"),
        "state_failed": _("Not accepted"),
        "state_conflict": _("Changed by someone else"),
        "send_now": _("Send now"),
        "correct": _("Correct"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this record? It will not be sent."),
        "keep_mine": _("Keep my version"),
        "keep_server": _("Keep the server's version"),
        "mine": _("My version"),
        "server": _("On the server now"),
        "photos": _("Photos: __SENT__ of __N__ sent"),
        "next_try": _("Next try at __TIME__"),
        "attempts": _("Tries: __N__"),
        "empty": _("Nothing waiting. Everything has been sent."),
        "saved": _("Saved on the phone. It will be sent when there is a signal."),
        "offline": _("No signal: working offline."),
        "not_logged_in": _("Log in again to send the waiting records."),
        "other_user": _("Recorded by __USER__: sent when they log in."),
        "logout_unsent": _(
            "__N__ records have not been sent yet. They stay on this phone and are sent when you log in "
            "again. Log out anyway?"
        ),
        "package_none": _("This village is not on the phone yet."),
        "package_info": _("On the phone: __H__ households, __SIZE__, refreshed __TIME__"),
        "package_loading": _("Downloading…"),
        "package_failed": _("The download failed. Try again when there is a signal."),
        "choose_village": _("Choose the village first."),
        "need_package": _("Take this village offline to choose its households."),
        "gps_wait": _("Getting the position…"),
        "gps_ok": _("Position found (±__M__ m)"),
        "gps_none": _("No position (it is optional)."),
        "unknown_household": _("Household"),
        "kind_visit": _("Visit"),
        "kind_problem": _("Problem"),
        "kind_meeting": _("Meeting"),
        "kind_checkin": _("Check-in"),
        "kind_dispute": _("Dispute"),
        "kind_household_edit": _("Household correction"),
        "photo_too_big": _("A photo could not be read."),
        "field_address": _("Address"),
        "field_phone": _("Phone"),
        "form_kept": _(
            "No signal: this form was not sent, and what you typed is still here. Send it again when there "
            "is a signal, or record it in the phone's form, which keeps it until it can be sent."
        ),
        "form_kept_link": _("Open the phone's form"),
    }


@register.simple_tag(takes_context=True)
def offline_config(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    config = {
        "user": user.get_username() if user is not None and user.is_authenticated else "",
        "sw": reverse("service_worker"),
        "manifest": reverse("offline:manifest"),
        "ping": reverse("offline:api_ping"),
        "items": reverse("offline:api_items"),
        "photos": reverse("offline:api_photos"),
        "package": reverse("offline:package", args=[0]).replace("/0/", "/__ID__/"),
        "queue": reverse("offline:queue"),
        "capture": reverse("offline:capture", args=["visit"]).replace("/visit/", "/__KIND__/"),
        "strings": strings(),
    }
    return json_script(config, "offline-config")


@register.simple_tag
def offline_json(value):
    return json.dumps(value)


@register.simple_tag
def shell_version():
    return shell.version()
