"""Read grants, projects, indicators and payments; submit evidence. Scoped like the pages.

The auditor and the funder read but never write: a write from them is a 403.
"""

from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from projects import selectors, services
from projects.models import EvidencePhoto, Grant, Indicator, IndicatorActual, Payment, PaymentStep, Project


class GrantSerializer(serializers.ModelSerializer):
    funder = serializers.CharField(source="funder.name")

    class Meta:
        model = Grant
        fields = ["id", "code", "name", "funder", "purpose", "amount", "starts_on", "ends_on", "conditions"]


class ProjectSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village.name")
    stage_label = serializers.CharField(source="get_stage_display")

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "type",
            "village",
            "stage",
            "stage_label",
            "implementer",
            "responsible_person",
            "starts_on",
            "ends_on",
        ]


class ActualSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorActual
        fields = ["value", "reported_on", "computed", "note", "evidence"]


class IndicatorSerializer(serializers.ModelSerializer):
    actuals = ActualSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "project", "kind", "name", "unit", "comparator", "target", "site_kind", "actuals"]


class PaymentStepSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_full_name")

    class Meta:
        model = PaymentStep
        fields = ["step", "role", "action", "actor", "acted_at", "note"]


class PaymentSerializer(serializers.ModelSerializer):
    steps = PaymentStepSerializer(many=True, read_only=True)
    budget_line = serializers.CharField(source="budget_line.code")

    class Meta:
        model = Payment
        # The payee's bank account stays out of the API.
        fields = [
            "id",
            "number",
            "project",
            "budget_line",
            "type",
            "purpose",
            "payee",
            "amount",
            "method",
            "status",
            "step",
            "version",
            "transfer_reference",
            "voucher_number",
            "paid_on",
            "steps",
        ]


class EvidenceSerializer(serializers.ModelSerializer):
    # The upload is checked (and re-encoded) by the service; reads get the permission-checked URL.
    photo = serializers.FileField(write_only=True)
    photo_url = serializers.SerializerMethodField()
    longitude = serializers.FloatField(write_only=True, required=False, min_value=-180, max_value=180)
    latitude = serializers.FloatField(write_only=True, required=False, min_value=-90, max_value=90)

    class Meta:
        model = EvidencePhoto
        fields = ["id", "project", "phase", "photo", "photo_url", "caption", "taken_at", "longitude", "latitude"]
        read_only_fields = ["id"]

    def get_photo_url(self, obj) -> str:
        return reverse("projects:photo_file", args=[obj.pk])


class ScopedReadViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return self.scoped(self.request.user).order_by("pk")


class GrantViewSet(ScopedReadViewSet):
    serializer_class = GrantSerializer
    queryset = Grant.objects.none()

    def scoped(self, user):
        return selectors.grants_for_user(user)


class ProjectViewSet(ScopedReadViewSet):
    serializer_class = ProjectSerializer
    queryset = Project.objects.none()

    def scoped(self, user):
        return selectors.projects_for_user(user)


class IndicatorViewSet(ScopedReadViewSet):
    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.none()

    def scoped(self, user):
        return selectors.indicators_for_user(user).prefetch_related("actuals")


class PaymentViewSet(ScopedReadViewSet):
    serializer_class = PaymentSerializer
    queryset = Payment.objects.none()

    def scoped(self, user):
        return selectors.payments_for_user(user).prefetch_related("steps__actor")


class EvidenceViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = EvidenceSerializer
    queryset = EvidencePhoto.objects.none()
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.filter_in_scope(
            EvidencePhoto.objects.all(), self.request.user, area_field="project__village"
        ).order_by("pk")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # 404 outside scope, 403 for read-only roles, then the service's own role check.
        project = selectors.project_for_user(request.user, data["project"].pk, write=True)
        location = None
        if data.get("longitude") is not None and data.get("latitude") is not None:
            location = Point(data["longitude"], data["latitude"], srid=4326)
        try:
            photo = services.photo_add(
                actor=request.user,
                project=project,
                phase=data["phase"],
                photo=data["photo"],
                taken_at=data["taken_at"],
                caption=data.get("caption", ""),
                location=location,
            )
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "role":
                raise PermissionDenied from exc
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(self.get_serializer(photo).data, status=status.HTTP_201_CREATED)


router = DefaultRouter()
router.register("grants", GrantViewSet, basename="api-grant")
router.register("projects", ProjectViewSet, basename="api-project")
router.register("indicators", IndicatorViewSet, basename="api-indicator")
router.register("payments", PaymentViewSet, basename="api-payment")
router.register("evidence", EvidenceViewSet, basename="api-evidence")
