from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin
from simple_history.admin import SimpleHistoryAdmin

from fieldwork.models import (
    CheckIn,
    DiaryEntry,
    Household,
    IncomeRecord,
    LeaveRequest,
    Meeting,
    Member,
    MonitoringRecord,
    Problem,
    Visit,
)
from villages.masking import mask_phone


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    exclude = ("id_number", "health_notes")


class IncomeInline(admin.TabularInline):
    model = IncomeRecord
    extra = 0


@admin.register(Household)
class HouseholdAdmin(LeafletGeoAdmin, SimpleHistoryAdmin):
    list_display = ("number", "head_name", "village", "group", "masked_phone", "monitoring_category")
    list_filter = ("monitoring_category", "lifted_out_of_poverty")
    search_fields = ("number", "head_name")
    raw_id_fields = ("village", "group")
    exclude = ("phone", "id_number")  # personal data is edited in the app, where reveals are logged
    inlines = [MemberInline, IncomeInline]

    @admin.display(description="phone")
    def masked_phone(self, obj):
        return mask_phone(obj.phone) if obj.phone else ""


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ("household", "visitor", "visited_at", "purpose", "gps_poor", "outside_village")
    list_filter = ("purpose", "gps_poor", "outside_village")
    raw_id_fields = ("household", "village", "visitor")
    date_hierarchy = "visited_at"


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    list_display = ("title", "village", "status", "raised_on", "due_on", "owner")
    list_filter = ("status", "source")
    search_fields = ("title",)
    raw_id_fields = ("village", "household", "visit", "meeting", "owner", "raised_by")


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "village", "held_at")
    list_filter = ("kind",)
    raw_id_fields = ("village", "recorded_by")


@admin.register(MonitoringRecord)
class MonitoringRecordAdmin(SimpleHistoryAdmin):
    list_display = ("household", "category", "step", "started_on", "decision")
    list_filter = ("step", "category")
    raw_id_fields = ("household", "created_by")


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ("user", "village", "day", "outside_village")
    raw_id_fields = ("user", "village")


@admin.register(LeaveRequest)
class LeaveRequestAdmin(SimpleHistoryAdmin):
    list_display = ("user", "village", "starts_on", "ends_on", "status")
    raw_id_fields = ("user", "village", "decided_by")


@admin.register(DiaryEntry)
class DiaryEntryAdmin(SimpleHistoryAdmin):
    list_display = ("user", "village", "day")
    raw_id_fields = ("user", "village")
