// HQ map: every village in scope, shaded or with a proportional circle for the chosen figure.
(function () {
  "use strict";

  // Leaflet reads a string as HTML: feature data goes in as a text node.
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function start() {
    var el = document.getElementById("hq-map");
    if (!el || !window.L) return;
    var config = JSON.parse(document.getElementById(el.dataset.config).textContent);
    document.querySelectorAll("[data-color]").forEach(function (n) { n.style.backgroundColor = n.dataset.color; });
    var map = L.map(el, { preferCanvas: true });
    map.setView([32.68, 109.03], 8);
    var first = null;
    config.tiles.forEach(function (t) {
      if (!first) first = L.tileLayer(t.url, t.options).addTo(map);
    });
    config.overlays.forEach(function (t) { if (first) L.tileLayer(t.url, t.options).addTo(map); });
    map.attributionControl.setPrefix("Leaflet" + (config.approval ? " | " + config.approval : ""));
    L.control.scale({ imperial: false }).addTo(map);
    var symbols = L.layerGroup().addTo(map);
    var fitted = false;
    config.layers.forEach(function (spec) {
      fetch(spec.url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var isVillage = spec.key === "villages";
          var layer = L.geoJSON(data, {
            style: function (f) {
              if (!isVillage) return { color: spec.color, weight: spec.key === "counties" ? 3 : 2, fill: false, dashArray: "6 4" };
              var v = config.values[String(f.properties.id)];
              var shaded = config.mode === "choropleth" && v;
              return { color: "#7a1f1a", weight: 1, fillColor: shaded ? v.color : "#ffffff", fillOpacity: shaded ? 0.8 : 0.2 };
            },
            onEachFeature: function (f, lyr) {
              if (!isVillage) return;
              var v = config.values[String(f.properties.id)];
              var text = f.properties.label + (v ? "：" + v.value + " " + config.unit : "");
              lyr.bindTooltip(textNode(text));
              lyr.on("click", function () { if (v) window.location.href = v.url; });
              if (config.mode === "symbols" && v) {
                var c = L.circleMarker(lyr.getBounds().getCenter(), {
                  radius: v.radius, color: "#fff", weight: 1, fillColor: "#c62828", fillOpacity: 0.75,
                });
                c.bindTooltip(textNode(text));
                c.on("click", function () { window.location.href = v.url; });
                c.addTo(symbols);
              }
            },
          }).addTo(map);
          if (isVillage && !fitted && data.features.length) {
            map.fitBounds(layer.getBounds(), { padding: [10, 10] });
            fitted = true;
          }
          symbols.eachLayer(function (l) { l.bringToFront(); });
        });
    });
    el.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
