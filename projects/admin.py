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


class AmountsReadOnly(SimpleHistoryAdmin):
    """Budgets are set up on the grant and budget pages (services check the rules and log); here names only."""

    amount_fields: tuple[str, ...] = ()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.amount_fields]


@admin.register(models.DepartmentBudget)
class DepartmentBudgetAdmin(AmountsReadOnly):
    list_display = ["code", "year", "name", "area", "amount"]
    list_filter = ["year"]
    amount_fields = ("area", "amount")


@admin.register(models.ProjectBudget)
class ProjectBudgetAdmin(AmountsReadOnly):
    list_display = ["name", "project", "grant", "department_budget"]
    amount_fields = ("project", "grant", "department_budget")


@admin.register(models.BudgetLine)
class BudgetLineAdmin(AmountsReadOnly):
    list_display = ["code", "name", "project_budget", "economic_category", "original_amount", "current_amount"]
    list_filter = ["economic_category"]
    # An amount changes only through an approved budget change.
    amount_fields = ("project_budget", "original_amount", "current_amount")


@admin.register(models.BudgetChange)
class BudgetChangeAdmin(admin.ModelAdmin):
    list_display = ["line", "old_amount", "new_amount", "status", "requested_by", "decided_by"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
