from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from offline.views import service_worker
from villages.views import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("", include("villages.urls")),
    path("fieldwork/", include("fieldwork.urls")),
    path("disputes/", include("grievances.urls")),
    path("projects/", include("projects.urls")),
    path("maps/", include("maps.urls")),
    path("reports/", include("reports.urls")),
    path("offline/", include("offline.urls")),
    path("sw.js", service_worker, name="service_worker"),
]

handler500 = "villages.middleware.server_error"

# No route serves MEDIA_ROOT, not even under DEBUG: photos, invoices and generated reports are
# private and reach users only through views that check the requester's scope.
