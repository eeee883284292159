from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin
from simple_history.admin import SimpleHistoryAdmin

from villages.masking import mask_phone
from villages.models import Area, Event, Notification, Person, RoleAssignment


@admin.register(Area)
class AreaAdmin(LeafletGeoAdmin, SimpleHistoryAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "area_m2")


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("area",)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("name", "organisation", "title", "masked_phone", "user")
    search_fields = ("name", "organisation")
    raw_id_fields = ("user",)
    inlines = [RoleInline]

    @admin.display(description="phone")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("person", "role", "area", "starts_on", "ends_on")
    list_filter = ("role",)
    raw_id_fields = ("person", "area")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created", "kind", "actor", "area", "message")
    list_filter = ("kind",)
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created", "recipient", "kind", "message", "read_at")
    raw_id_fields = ("recipient",)
