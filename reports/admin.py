from django.contrib import admin

from reports.models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "exporter", "area", "format", "status", "progress", "requested_by", "created", "size"]
    list_filter = ["status", "exporter", "format"]
    search_fields = ["area__name", "requested_by__username"]
    readonly_fields = [f.name for f in ReportRun._meta.fields]

    def has_add_permission(self, request):
        return False
