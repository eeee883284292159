"""How people are told about cases: in-app always; e-mail and SMS behind one interface, off by default.

A channel is a class with `send(user, *, kind, message, url, dedupe_key)`. Switch channels on with
`GRIEVANCE_NOTIFY_CHANNELS = ["inapp", "email"]`; an SMS gateway plugs in as another class here.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail

from grievances import conf
from villages.services import notify

log = logging.getLogger(__name__)


class Channel(Protocol):
    def send(self, user, *, kind: str, message: str, url: str, dedupe_key: str) -> bool: ...


class InAppChannel:
    def send(self, user, *, kind: str, message: str, url: str, dedupe_key: str) -> bool:
        return notify(recipient=user, kind=kind, message=message, url=url, dedupe_key=dedupe_key) is not None


class EmailChannel:
    def send(self, user, *, kind: str, message: str, url: str, dedupe_key: str) -> bool:
        if not user.email:
            return False
        send_mail(message[:78], f"{message}\n{url}", settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=True)
        return True


class SmsChannel:
    """Placeholder until a gateway contract exists: logs instead of sending (never the parties' data)."""

    def send(self, user, *, kind: str, message: str, url: str, dedupe_key: str) -> bool:
        log.info("SMS not configured; would notify user %s: %s", user.pk, kind)
        return False


CHANNELS: dict[str, type] = {"inapp": InAppChannel, "email": EmailChannel, "sms": SmsChannel}


def send(users, *, kind: str, message: str, url: str = "", dedupe_key: str = "") -> int:
    """Tell each distinct active user; returns how many got a new message.

    In-app is always on and deduplicated by key; the other switched-on channels only go out
    when the in-app message was new, so a daily job never repeats an e-mail or SMS.
    """
    extra = [CHANNELS[name]() for name in conf.notify_channels() if name in CHANNELS and name != "inapp"]
    seen, sent = set(), 0
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if not InAppChannel().send(user, kind=kind, message=message, url=url, dedupe_key=dedupe_key):
            continue
        sent += 1
        for channel in extra:
            channel.send(user, kind=kind, message=message, url=url, dedupe_key=dedupe_key)
    return sent
