"""The phone's sync API: one queued item per request, one photo per request, and a ping.

Answers are JSON with a `message` in the user's language, so the queue can show the server's
own words: 200/201 sent (200 = a retry found the first record), 400 rejected (fix or discard),
403 not allowed, 404 not found or outside your villages, 409 a stale edit (both versions
returned), 413 too large. Anything else (5xx, no answer) is retried by the phone.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from offline import services

log = logging.getLogger(__name__)


class ItemIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=services.KINDS)
    client_uuid = serializers.UUIDField()
    payload = serializers.JSONField()


class ItemOut(serializers.Serializer):
    kind = serializers.CharField()
    client_uuid = serializers.UUIDField()
    id = serializers.IntegerField()
    created = serializers.BooleanField()
    url = serializers.CharField()


class PhotoIn(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    parent_kind = serializers.ChoiceField(choices=tuple(services.PHOTO_PARENTS))
    parent_uuid = serializers.UUIDField()
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    image = serializers.FileField()


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            return _first_message(value)
    if isinstance(errors, list | tuple) and errors:
        return _first_message(errors[0])
    return str(errors)


def _error(exc) -> Response:
    """The JSON answer for a refused item; never a 500 for bad input."""
    if isinstance(exc, services.Conflict):
        return Response(
            {"message": exc.message, "server": exc.server, "mine": exc.mine}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, serializers.ValidationError):
        return Response({"message": _first_message(exc.detail), "errors": exc.detail}, status=400)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return Response({"message": _first_message(errors), "errors": errors}, status=400)
    if isinstance(exc, Http404):
        return Response({"message": _("Not found, or outside your villages.")}, status=404)
    if isinstance(exc, PermissionDenied):
        return Response({"message": str(exc) or _("You are not allowed to do this.")}, status=403)
    raise exc


class ItemView(APIView):
    """Create the record one queued item stands for; a retry with the same client UUID returns it."""

    parser_classes = [JSONParser]

    @extend_schema(request=ItemIn, responses={200: ItemOut, 201: ItemOut})
    def post(self, request):
        incoming = ItemIn(data=request.data)
        if not incoming.is_valid():
            return _error(serializers.ValidationError(incoming.errors))
        data = incoming.validated_data
        try:
            result = services.item_submit(
                actor=request.user, kind=data["kind"], client_uuid=data["client_uuid"], payload=data["payload"]
            )
        except (
            services.Conflict,
            serializers.ValidationError,
            DjangoValidationError,
            Http404,
            PermissionDenied,
        ) as exc:
            return _error(exc)
        return Response(result.as_dict(data["client_uuid"]), status=201 if result.created else 200)


class PhotoView(APIView):
    """Upload one photo of a visit or meeting, named by the phone's photo UUID."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": PhotoIn},
        responses={
            200: inline_serializer(
                "PhotoOut", {"id": serializers.IntegerField(), "created": serializers.BooleanField()}
            )
        },
    )
    def post(self, request):
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return Response({"message": _("The photo is too large.")}, status=413)
        incoming = PhotoIn(data=request.data)
        if not incoming.is_valid():
            return _error(serializers.ValidationError(incoming.errors))
        data = incoming.validated_data
        try:
            photo, created = services.photo_submit(
                actor=request.user,
                parent_kind=data["parent_kind"],
                parent_uuid=data["parent_uuid"],
                client_uuid=data["client_uuid"],
                upload=data["image"],
                caption=data["caption"],
            )
        except (serializers.ValidationError, DjangoValidationError, Http404, PermissionDenied) as exc:
            return _error(exc)
        return Response(
            {"id": photo.pk, "client_uuid": str(data["client_uuid"]), "created": created},
            status=201 if created else 200,
        )


class PingView(APIView):
    """Before sending: is the server reachable, who is logged in, and a fresh CSRF token."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Ping",
                {
                    "authenticated": serializers.BooleanField(),
                    "user": serializers.CharField(),
                    "csrf": serializers.CharField(),
                },
            )
        }
    )
    def get(self, request):
        user = request.user
        response = Response(
            {
                "authenticated": bool(user.is_authenticated),
                "user": user.get_username() if user.is_authenticated else "",
                "csrf": get_token(request),
            }
        )
        response["Cache-Control"] = "no-store"
        return response
