from django.urls import include, path
from rest_framework.routers import DefaultRouter

from fieldwork import api, views

app_name = "fieldwork"

router = DefaultRouter()
router.include_root_view = False
router.register("households", api.HouseholdViewSet, basename="api_household")
router.register("visits", api.VisitViewSet, basename="api_visit")
router.register("problems", api.ProblemViewSet, basename="api_problem")
router.register("checkins", api.CheckInViewSet, basename="api_checkin")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/import/", views.household_import, name="household_import"),
    path("households/export/", views.household_export, name="household_export"),
    path("households/search/", views.household_search, name="household_search"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", views.member_create, name="member_create"),
    path("households/<int:pk>/members/<int:member_pk>/", views.member_edit, name="member_edit"),
    path("households/<int:pk>/income/", views.income_create, name="income_create"),
    path("households/<int:pk>/monitoring/", views.monitoring_start, name="monitoring_start"),
    path("monitoring/<int:pk>/next/", views.monitoring_advance, name="monitoring_advance"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/problem/", views.visit_raise_problem, name="visit_raise_problem"),
    path("visits/<int:pk>/photos/", views.visit_photo_add, name="visit_photo_add"),
    path("photos/<int:pk>/", views.photo_file, name="photo_file"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/new/", views.problem_create, name="problem_create"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("attendance/", views.attendance, name="attendance"),
    path("attendance/check-in/", views.checkin_create, name="checkin_create"),
    path("leave/new/", views.leave_create, name="leave_create"),
    path("leave/<int:pk>/", views.leave_detail, name="leave_detail"),
    path("diary/", views.diary_list, name="diary_list"),
    path("diary/new/", views.diary_create, name="diary_create"),
    path("api/", include(router.urls)),
]
