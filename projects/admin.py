from django.contrib.gis import admin
from simple_history.admin import SimpleHistoryAdmin

from projects import models

# Read-mostly admin: money moves through services (the chain and its rules), never through admin forms.


@admin.register(models.Funder)
class FunderAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind"]


@admin.register(models.Grant)
class GrantAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "funder", "amount", "starts_on", "ends_on"]


@admin.register(models.Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "type", "village", "stage"]
    list_filter = ["type", "stage"]
    raw_id_fields = ["beneficiaries"]


@admin.register(models.Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ["number", "project", "payee", "amount", "status", "step"]
    list_filter = ["status", "method"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(models.ComplianceFinding)
class ComplianceFindingAdmin(admin.ModelAdmin):
    list_display = ["category", "message", "village", "resolved"]
    list_filter = ["category", "resolved"]
