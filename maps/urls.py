from django.urls import path

from maps import ogc, views

app_name = "maps"

urlpatterns = [
    path("", views.map_index, name="map_index"),
    path("hq/", views.hq_map, name="hq_map"),
    path("villages/<int:pk>/", views.village_map, name="village_map"),
    path("layers/<slug:key>/", views.layer_geojson, name="layer_geojson"),
    path("layers/<slug:key>/<int:pk>/popup/", views.feature_popup, name="feature_popup"),
    path("layers/<slug:key>/export/<slug:fmt>/", views.layer_export, name="layer_export"),
    path("villages/<int:pk>/export/", views.export_index, name="export_index"),
    path("villages/<int:pk>/import/", views.import_upload, name="import_upload"),
    path("villages/<int:pk>/import/<str:token>/", views.import_preview, name="import_preview"),
    # OGC API – Features (read-only): QGIS and GDAL connect to maps/ogc/.
    path("ogc/", ogc.landing, name="ogc_landing"),
    path("ogc/conformance", ogc.conformance, name="ogc_conformance"),
    path("ogc/collections", ogc.collections, name="ogc_collections"),
    path("ogc/collections/<slug:key>", ogc.collection, name="ogc_collection"),
    path("ogc/collections/<slug:key>/items", ogc.items, name="ogc_items"),
    path("ogc/collections/<slug:key>/items/<int:pk>", ogc.item, name="ogc_item"),
]
