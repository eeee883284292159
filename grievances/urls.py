from django.urls import include, path
from rest_framework.routers import DefaultRouter

from grievances import api, views

app_name = "grievances"

router = DefaultRouter()
router.include_root_view = False
router.register("cases", api.CaseViewSet, basename="api_case")

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("ledger/", views.case_ledger, name="case_ledger"),
    path("ledger.xlsx", views.case_ledger_xlsx, name="case_ledger_xlsx"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/reveal/", views.case_reveal, name="case_reveal"),
    path("<int:pk>/agreement.docx", views.agreement_docx, name="agreement_docx"),
    path("<int:pk>/<slug:verb>/", views.case_action, name="case_action"),
    path("api/", include(router.urls)),
]
