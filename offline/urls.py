from django.urls import path

from offline import api, views

app_name = "offline"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("capture/<slug:kind>/", views.capture, name="capture"),
    path("package/<int:village_pk>/", views.package, name="package"),
    path("api/ping/", api.PingView.as_view(), name="api_ping"),
    path("api/items/", api.ItemView.as_view(), name="api_items"),
    path("api/photos/", api.PhotoView.as_view(), name="api_photos"),
]
