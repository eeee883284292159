from django.urls import include, path

from projects import api, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_add, name="project_add"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/sites/", views.site_add, name="site_add"),
    path("<int:pk>/advance/", views.project_advance, name="project_advance"),
    path("<int:pk>/indicators/", views.indicator_add, name="indicator_add"),
    path("<int:pk>/actuals/", views.actual_add, name="actual_add"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("<int:pk>/assets/", views.asset_add, name="asset_add"),
    path("<int:pk>/notices/", views.notice_add, name="notice_add"),
    path("<int:pk>/payments/new/", views.payment_add, name="payment_add"),
    path("sites/measure/", views.site_measure, name="site_measure"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/docx/", views.notice_docx_download, name="notice_docx"),
    path("notices/<int:pk>/photo/", views.notice_photo, name="notice_photo"),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/changes/", views.budget_change_add, name="budget_change_add"),
    path("grants/<int:pk>/changes/decide/", views.budget_change_decide, name="budget_change_decide"),
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/act/", views.payment_act, name="payment_act"),
    path("payments/<int:pk>/attachments/", views.payment_attach, name="payment_attach"),
    path("payments/<int:pk>/invoices/", views.invoice_add, name="invoice_add"),
    path("queue/", views.approval_queue, name="approval_queue"),
    path("review/", views.review, name="review"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/run/", views.compliance_run_now, name="compliance_run"),
    path("api/", include(api.router.urls)),
]
