from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("runs/", views.reportrun_list, name="reportrun_list"),
    path("runs/rows/", views.reportrun_rows, name="reportrun_rows"),
    path("runs/<int:pk>/download/", views.reportrun_download, name="reportrun_download"),
    path("<slug:identifier>/", views.report_request, name="report_request"),
]
