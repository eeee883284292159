// Project sites on a map, and drawing a new site (points, a line or a polygon) or pasting GeoJSON.
// The server measures the shape geodesically (m, m², 亩); nothing here computes sizes.
(function () {
  "use strict";
  var el = document.getElementById("project-map");
  if (!el || !window.L) return;
  var read = function (id) {
    var node = document.getElementById(id);
    if (!node) return null;
    var value = JSON.parse(node.textContent);
    return typeof value === "string" && value ? JSON.parse(value) : value || null;
  };
  // Leaflet reads a string as HTML: feature data goes in as a text node.
  var textNode = function (text) { var span = document.createElement("span"); span.textContent = text; return span; };
  var map = L.map(el, { attributionControl: true });
  var bounds = null;
  var boundary = read(el.dataset.boundary);
  if (boundary) {
    var outline = L.geoJSON(boundary, { style: { color: "#b3261e", weight: 2, fillOpacity: 0.04 } }).addTo(map);
    bounds = outline.getBounds();
  }
  var sites = read(el.dataset.sites);
  if (sites && sites.features && sites.features.length) {
    var layer = L.geoJSON(sites, {
      style: { color: "#1565c0", weight: 4, fillOpacity: 0.3 },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 6, color: "#1565c0" }); },
      onEachFeature: function (f, l) { l.bindPopup(textNode(f.properties.label)); },
    }).addTo(map);
    bounds = layer.getBounds();
  }
  if (bounds && bounds.isValid()) map.fitBounds(bounds, { maxZoom: 16 }); else map.setView([32.45, 108.6], 13);

  var form = document.getElementById("site-form");
  if (!form) return;
  var textarea = document.getElementById("site-geojson");
  var output = document.getElementById("site-measure");
  var mode = null, points = [], sketch = null;
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function geometry() {
    var coords = points.map(function (p) { return [Number(p.lng.toFixed(7)), Number(p.lat.toFixed(7))]; });
    if (mode === "Point") return coords.length === 1 ? { type: "Point", coordinates: coords[0] } : { type: "MultiPoint", coordinates: coords };
    if (mode === "LineString") return { type: "LineString", coordinates: coords };
    return { type: "Polygon", coordinates: [coords.concat([coords[0]])] };
  }
  function measure() {
    output.textContent = "";
    if (!textarea.value.trim()) return;
    var body = new URLSearchParams({ geometry: textarea.value });
    fetch(form.dataset.measureUrl, { method: "POST", body: body, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { output.textContent = data.error || data.text; });
  }
  function redraw() {
    if (sketch) map.removeLayer(sketch);
    var enough = mode === "Point" ? 1 : mode === "LineString" ? 2 : 3;
    if (points.length < enough) { sketch = L.layerGroup(points.map(function (p) { return L.circleMarker(p, { radius: 4 }); })).addTo(map); return; }
    var shape = geometry();
    sketch = L.geoJSON(shape, { style: { color: "#e65100", weight: 4 }, pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 6, color: "#e65100" }); } }).addTo(map);
    textarea.value = JSON.stringify(shape);
    measure();
  }
  form.querySelectorAll("[data-draw]").forEach(function (button) {
    button.addEventListener("click", function () {
      form.querySelectorAll("[data-draw]").forEach(function (b) { b.classList.remove("active"); });
      points = [];
      if (button.dataset.draw === "clear") { mode = null; textarea.value = ""; output.textContent = ""; redraw(); return; }
      mode = button.dataset.draw;
      button.classList.add("active");
      redraw();
    });
  });
  map.on("click", function (event) { if (!mode) return; points.push(event.latlng); redraw(); });
  textarea.addEventListener("change", measure);
})();
