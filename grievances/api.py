"""Intake and reading of cases for phones and integrations (DRF, in the OpenAPI schema).

Intake is idempotent: the client generates `client_uuid`; a retry returns the first case (200)
instead of creating a second one (201).
"""

from functools import partial

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from grievances import conf, selectors, services
from grievances.models import Case, HandlingLevel, PartyRole, Risk, Source
from grievances.services import PartyData
from villages.models import Area, Level
from villages.selectors import filter_in_scope, is_read_only


class PartyReadSerializer(serializers.Serializer):
    role = serializers.CharField()
    name = serializers.CharField(source="masked_name")
    phone = serializers.CharField(source="masked_phone")
    household = serializers.IntegerField(source="household_id", allow_null=True)


class CaseSerializer(serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    category_label = serializers.CharField(read_only=True)
    parties = PartyReadSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    # Free text that names the parties: masked like the parties themselves (reveals are on the page, logged).
    title = serializers.CharField(source="masked_title", read_only=True)
    facts = serializers.CharField(source="masked_facts", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "client_uuid",
            "village",
            "village_name",
            "group",
            "source",
            "category",
            "category_label",
            "title",
            "facts",
            "risk",
            "level",
            "status",
            "received_on",
            "deadline",
            "overdue",
            "resolved_on",
            "closed_on",
            "parties",
            "source_visit",
            "source_meeting",
            "source_problem",
            "related_project",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, case) -> str:
        return services.case_url(case)


class PartyWriteSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices, default=PartyRole.APPLICANT)
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    household = serializers.IntegerField(required=False, allow_null=True, default=None)


class CaseIntakeSerializer(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    village = serializers.IntegerField()
    group = serializers.IntegerField(required=False, allow_null=True, default=None)
    source = serializers.ChoiceField(choices=Source.choices)
    source_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=30)
    title = serializers.CharField(max_length=120)
    facts = serializers.CharField(max_length=5000)
    risk = serializers.ChoiceField(choices=Risk.choices, default=Risk.LOW)
    level = serializers.ChoiceField(choices=HandlingLevel.choices, default=HandlingLevel.VILLAGE)
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    parties = PartyWriteSerializer(many=True, min_length=1, max_length=20)
    problem = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="fieldwork problem id")
    visit = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="fieldwork visit id")
    meeting = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="fieldwork meeting id")

    def validate_category(self, value):
        if value not in dict(conf.categories()):
            raise serializers.ValidationError("未知的纠纷类别。")
        return value


def _to_field_errors(error: DjangoValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Dispute cases in the caller's scope; parties are always masked here."""

    serializer_class = CaseSerializer

    def get_queryset(self):
        qs = selectors.cases_for_user(self.request.user).prefetch_related("parties")
        status_filter = self.request.query_params.get("status")
        return qs.filter(status=status_filter) if status_filter else qs

    def get_object(self):
        return selectors.case_for_user(self.request.user, self.kwargs["pk"])

    @extend_schema(request=CaseIntakeSerializer, responses={200: CaseSerializer, 201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        if is_read_only(request.user) or not selectors.villages_for_intake(request.user).exists():
            raise PermissionDenied("您的角色不能登记纠纷。")
        intake = CaseIntakeSerializer(data=request.data)
        intake.is_valid(raise_exception=True)
        data = intake.validated_data
        existing = Case.objects.filter(client_uuid=data["client_uuid"]).first()
        if existing is not None:
            # A retry: the first case, if the caller may see it; never a duplicate.
            case = selectors.case_for_user(request.user, existing.pk)
            return Response(CaseSerializer(case).data, status=status.HTTP_200_OK)
        village = selectors.villages_for_intake(request.user).filter(pk=data["village"]).first()
        if village is None:
            return Response({"village": ["该村不在您的工作范围内。"]}, status=status.HTTP_400_BAD_REQUEST)
        group = None
        if data["group"] is not None:
            group = Area.objects.filter(pk=data["group"], parent=village, level=Level.GROUP).first()
            if group is None:
                return Response({"group": ["该组不属于所选的村。"]}, status=status.HTTP_400_BAD_REQUEST)
        parties = [self._party(p, village) for p in data["parties"]]
        links = self._links(data, village)
        has_point = data["latitude"] is not None and data["longitude"] is not None
        if "source_problem" in links:
            receive = partial(services.case_from_problem, problem=links.pop("source_problem"))
        else:
            receive = partial(services.case_receive, village=village, links=links)
        try:
            case, created = receive(
                actor=request.user,
                group=group,
                source=data["source"],
                source_note=data["source_note"],
                category=data["category"],
                title=data["title"],
                facts=data["facts"],
                risk=data["risk"],
                level=data["level"],
                received_on=data["received_on"],
                deadline=data["deadline"],
                point=(data["longitude"], data["latitude"]) if has_point else None,
                parties=parties,
                client_uuid=data["client_uuid"],
            )
        except DjangoValidationError as error:
            return Response(_to_field_errors(error), status=status.HTTP_400_BAD_REQUEST)
        case = selectors.case_for_user(request.user, case.pk)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _links(self, data: dict, village: Area) -> dict:
        """The fieldwork records the case came from: in the caller's scope and the case's village."""
        links = {}
        for param, field, model_name in (
            ("problem", "source_problem", "Problem"),
            ("visit", "source_visit", "Visit"),
            ("meeting", "source_meeting", "Meeting"),
        ):
            if data.get(param) is None:
                continue
            model = apps.get_model("fieldwork", model_name)
            target = filter_in_scope(model.objects.filter(village=village), self.request.user, area_field="village")
            links[field] = target.filter(pk=data[param]).first()
            if links[field] is None:
                raise serializers.ValidationError({param: ["该记录不在本村或不在您的工作范围内。"]})
        return links

    def _party(self, data: dict, village: Area) -> PartyData:
        from fieldwork.models import Household

        household = None
        if data.get("household") is not None:
            household = Household.objects.filter(pk=data["household"], village=village).first()
            if household is None:
                raise serializers.ValidationError({"parties": ["当事户不在该村。"]})
        return PartyData(
            name=data["name"], role=data["role"], id_number=data["id_number"], phone=data["phone"], household=household
        )

    def handle_exception(self, exc):
        if isinstance(exc, Http404):
            exc = Http404("未找到。")
        return super().handle_exception(exc)
