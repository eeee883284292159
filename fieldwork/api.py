"""The phone API: households (read), visits, problems and check-ins (create/read), photos per visit.

Creates accept a client-generated `client_uuid` as an idempotency key: a retry with the same UUID
returns the first record with 200 (201 when new); a UUID of another user or another village is 403.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from fieldwork import selectors, services
from fieldwork.models import CHECK_ITEMS, CheckIn, CheckResult, Household, Photo, Problem, Visit, VisitPurpose
from villages.masking import mask_phone


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError({k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()})
    return ValidationError({"detail": exc.messages})


def _lonlat(obj) -> dict | None:
    return {"lon": obj.location.x, "lat": obj.location.y} if obj.location else None


class HouseholdSerializer(serializers.ModelSerializer):
    group = serializers.CharField(source="group.name", default="", read_only=True)
    phone = serializers.SerializerMethodField()
    position = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "group",
            "number",
            "head_name",
            "address",
            "phone",
            "position",
            "lifted_out_of_poverty",
            "monitoring_category",
            "version",
        ]

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone) if obj.phone else ""

    def get_position(self, obj) -> dict | None:
        return _lonlat(obj)


class GpsMixin(serializers.Serializer):
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180, write_only=True)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90, write_only=True)

    def gps(self):
        data = self.validated_data
        try:
            return services.gps_fix(data.get("lon"), data.get("lat"), data.get("accuracy_m"))
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc


class FollowUpInput(serializers.Serializer):
    action = serializers.CharField(max_length=300)
    owner_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "visit", "width", "height", "size", "caption", "client_uuid", "url", "created"]

    def get_url(self, obj) -> str:
        return reverse("fieldwork:photo_file", args=[obj.pk])


class PhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField()
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class VisitSerializer(GpsMixin, serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id")
    accuracy_m = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100_000)
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    purpose = serializers.ChoiceField(choices=VisitPurpose.choices, default=VisitPurpose.ROUTINE)
    checks = serializers.DictField(
        child=serializers.ChoiceField(choices=[("", ""), *CheckResult.choices]), required=False, write_only=True
    )
    follow_ups = FollowUpInput(many=True, required=False, write_only=True)
    position = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "village",
            "visitor",
            "visited_at",
            "purpose",
            "findings",
            "needs",
            "help_given",
            "lon",
            "lat",
            "accuracy_m",
            "position",
            "gps_poor",
            "outside_village",
            "checks",
            "follow_ups",
            "client_uuid",
            "photos",
            "created",
        ]
        read_only_fields = ["village", "visitor", "gps_poor", "outside_village", "created"]

    def get_position(self, obj) -> dict | None:
        return _lonlat(obj)

    def validate_checks(self, value):
        unknown = set(value) - {code for code, _label in CHECK_ITEMS}
        if unknown:
            raise ValidationError(_("Unknown check items: %(items)s") % {"items": ", ".join(sorted(unknown))})
        return value


class ProblemSerializer(serializers.ModelSerializer):
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    household = serializers.IntegerField(source="household_id", required=False, allow_null=True)
    visit = serializers.IntegerField(source="visit_id", required=False, allow_null=True)
    village = serializers.IntegerField(source="village_id", required=False, allow_null=True)
    raised_on = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "village",
            "household",
            "visit",
            "title",
            "description",
            "source",
            "raised_on",
            "owner",
            "due_on",
            "status",
            "outcome",
            "closed_on",
            "handed_over_to",
            "client_uuid",
            "created",
        ]
        read_only_fields = ["source", "owner", "status", "outcome", "closed_on", "handed_over_to", "created"]


class CheckInSerializer(GpsMixin, serializers.ModelSerializer):
    village = serializers.IntegerField(source="village_id", required=False, allow_null=True)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100_000)
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    checked_at = serializers.DateTimeField(required=False)
    position = serializers.SerializerMethodField()

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "user",
            "village",
            "day",
            "checked_at",
            "lon",
            "lat",
            "accuracy_m",
            "position",
            "gps_poor",
            "outside_village",
            "note",
            "client_uuid",
        ]
        read_only_fields = ["user", "day", "gps_poor", "outside_village"]

    def get_position(self, obj) -> dict | None:
        return _lonlat(obj)


def _created_response(serializer_class, obj, created: bool, context) -> Response:
    code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return Response(serializer_class(obj, context=context).data, status=code)


class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HouseholdSerializer

    def get_queryset(self):
        q = self.request.query_params.get("q", "").strip()[:50]
        return selectors.households_for_user(self.request.user, q=q)

    @extend_schema(parameters=[OpenApiParameter("q", str, description="name or number")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class VisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = VisitSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.visits_for_user(self.request.user).prefetch_related("photos")

    @extend_schema(responses={201: VisitSerializer, 200: VisitSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        household = selectors.household_for_user(request.user, data["household_id"], write=True)
        try:
            visit, created = services.visit_record(
                actor=request.user,
                household=household,
                visited_at=data["visited_at"],
                purpose=data["purpose"],
                findings=data.get("findings", ""),
                needs=data.get("needs", ""),
                help_given=data.get("help_given", ""),
                gps=serializer.gps(),
                checks=data.get("checks") or {},
                follow_ups=[dict(f) for f in data.get("follow_ups", [])],
                client_uuid=data.get("client_uuid"),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return _created_response(VisitSerializer, visit, created, self.get_serializer_context())

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: PhotoSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser], serializer_class=PhotoUploadSerializer)
    def photos(self, request, pk=None):
        """Upload one photo of the visit (retry-safe with the photo's own client UUID)."""
        visit = selectors.visit_for_user(request.user, pk, write=True)
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            photo, created = services.photo_add(
                actor=request.user,
                upload=data["photo"],
                visit=visit,
                client_uuid=data.get("client_uuid"),
                caption=data.get("caption", ""),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return _created_response(PhotoSerializer, photo, created, self.get_serializer_context())


class ProblemViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProblemSerializer

    def get_queryset(self):
        return selectors.problems_for_user(self.request.user, status=self.request.query_params.get("status", ""))

    @extend_schema(responses={201: ProblemSerializer, 200: ProblemSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        visit = selectors.visit_for_user(user, data["visit_id"], write=True) if data.get("visit_id") else None
        household = None
        if data.get("household_id"):
            household = selectors.household_for_user(user, data["household_id"], write=True)
        village_id = (
            data.get("village_id")
            or (visit.village_id if visit else None)
            or (household.village_id if household else None)
        )
        if not village_id:
            raise ValidationError({"village": [_("Give the village, a household or a visit.")]})
        village = selectors.village_for_user(user, village_id, write=True)
        try:
            problem, created = services.problem_raise(
                actor=user,
                village=village,
                title=data["title"],
                description=data.get("description", ""),
                household=household,
                visit=visit,
                raised_on=data.get("raised_on"),
                due_on=data.get("due_on"),
                client_uuid=data.get("client_uuid"),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return _created_response(ProblemSerializer, problem, created, self.get_serializer_context())


class CheckInViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CheckInSerializer

    def get_queryset(self):
        return selectors.checkins_for_user(self.request.user)

    @extend_schema(responses={201: CheckInSerializer, 200: CheckInSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        villages = selectors.field_villages(request.user)
        if not villages:
            raise PermissionDenied(_("Only resident cadres and village officers check in."))
        village = villages[0]
        if data.get("village_id"):
            village = next((v for v in villages if v.pk == data["village_id"]), None)
            if village is None:
                raise Http404
        try:
            checkin, created = services.checkin_record(
                actor=request.user,
                village=village,
                gps=serializer.gps(),
                at=data.get("checked_at"),
                note=data.get("note", ""),
                client_uuid=data.get("client_uuid"),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return _created_response(CheckInSerializer, checkin, created, self.get_serializer_context())
