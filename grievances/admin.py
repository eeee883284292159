"""Admin: read-mostly views for support staff; parties are shown masked, writes go through services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from grievances.models import Agreement, Case, MediationSession, Party, ReturnVisit, Reveal


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PartyInline(ReadOnlyInline):
    model = Party
    fields = ("role", "masked_name", "masked_phone", "masked_id_number", "household")
    readonly_fields = fields


class SessionInline(ReadOnlyInline):
    model = MediationSession
    fields = ("held_on", "mediators", "summary")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ("number", "title", "village", "category", "level", "status", "deadline", "overdue")
    list_filter = ("status", "level", "overdue", "category")
    search_fields = ("number", "title")
    raw_id_fields = ("village", "group", "handler", "recorded_by")
    readonly_fields = ("number", "status", "client_uuid", "escalations", "overdue", "overdue_since")
    inlines = [PartyInline, SessionInline]

    def has_add_permission(self, request):
        return False  # intake goes through the form or the API (services), which log the event


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ("case", "form", "signed_on", "perform_by", "confirmation_applied_on")
    raw_id_fields = ("case", "recorded_by")


@admin.register(ReturnVisit)
class ReturnVisitAdmin(SimpleHistoryAdmin):
    list_display = ("case", "visited_on", "carried_out", "satisfaction")
    raw_id_fields = ("case", "visitor")


@admin.register(Reveal)
class RevealAdmin(admin.ModelAdmin):
    list_display = ("case", "user", "purpose", "created")
    list_filter = ("purpose",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
