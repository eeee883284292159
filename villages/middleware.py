"""Faults the user can do nothing about get a clear page in their language, not a 500.

- The database is unreachable (PostgreSQL restarting, a fail-over): 503 "try again in a moment".
  Django reconnects by itself on a later request (`CONN_HEALTH_CHECKS`), so no restart is needed.
- The media disk is full (ENOSPC, or a quota): 507. Services are atomic, so the record the
  upload belonged to was rolled back; the storage removes the partial file (`villages.storage`).

The middleware handles exceptions raised by views; `server_error` (the 500 handler) catches the
same faults when they happen in another middleware. Neither page touches the database.
"""

import errno
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)
DATABASE_ERRORS = (OperationalError, InterfaceError)
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def fault_response(request, exc: BaseException | None):
    """The page for a known fault, or None when `exc` is something else."""
    if isinstance(exc, DATABASE_ERRORS):
        logger.error("database unavailable: %s", exc)
        title = _("The service is briefly unavailable")
        message = _("The database cannot be reached at the moment. Nothing was saved. Please try again in a minute.")
        response = _page(request, 503, title, message)
        response["Retry-After"] = "30"
        return response
    if isinstance(exc, OSError) and exc.errno in DISK_FULL:
        logger.error("storage full: %s", exc)
        title = _("Storage is full")
        message = _(
            "Storage space is insufficient: the file and the record were not saved. "
            "Please tell the administrator and try again later."
        )
        return _page(request, 507, title, message)
    return None


def _page(request, status: int, title: str, message: str):
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    html = render_to_string("villages/errors/fault.html", {"title": title, "message": message, "status": status})
    return HttpResponse(html, status=status)


def _wants_json(request) -> bool:
    return "/api/" in request.path or "application/json" in request.headers.get("Accept", "")


class FaultPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return fault_response(request, exception)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: the fault pages for faults raised outside views, Django's 500 page otherwise."""
    response = fault_response(request, sys.exc_info()[1])
    return response or defaults.server_error(request, template_name)
