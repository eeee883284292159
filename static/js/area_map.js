// A small map of one area's boundary; works with no basemap tiles at all.
(function () {
  "use strict";
  var el = document.getElementById("area-map");
  if (!el || !window.L) return;
  var data = JSON.parse(JSON.parse(document.getElementById(el.dataset.geojson).textContent));
  var map = L.map(el, { attributionControl: true });
  var layer = L.geoJSON(data, { style: { color: "#b3261e", weight: 2, fillOpacity: 0.08 } }).addTo(map);
  map.fitBounds(layer.getBounds());
})();
