// Import preview: the village boundary and the file's shapes (invalid ones in red), no tiles needed.
(function () {
  "use strict";

  // Leaflet reads a string as HTML: feature data goes in as a text node.
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function start() {
    var el = document.getElementById("import-map");
    if (!el || !window.L) return;
    var config = JSON.parse(document.getElementById(el.dataset.config).textContent);
    var map = L.map(el, { preferCanvas: true });
    config.tiles.slice(0, 1).forEach(function (t) { L.tileLayer(t.url, t.options).addTo(map); });
    map.attributionControl.setPrefix("Leaflet" + (config.approval ? " | " + config.approval : ""));
    L.control.scale({ imperial: false }).addTo(map);
    if (config.bounds) map.fitBounds(config.bounds);
    var village = config.layers.filter(function (l) { return l.key === "villages"; })[0];
    if (village) {
      fetch(village.url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          L.geoJSON(data, { style: { color: village.color, weight: 2, fillOpacity: 0.05 } }).addTo(map);
        });
    }
    var shapes = L.geoJSON(config.preview, {
      style: function (f) { return { color: f.properties.invalid ? "#c62828" : "#0277bd", weight: 3, fillOpacity: 0.3 }; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 1.5, fillColor: f.properties.invalid ? "#c62828" : "#0277bd", fillOpacity: 1 });
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(textNode("#" + (f.properties.index + 1) + " " + f.properties.name)); },
    }).addTo(map);
    if (config.preview.features.length) map.fitBounds(shapes.getBounds(), { padding: [20, 20], maxZoom: 17 });
    el.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
