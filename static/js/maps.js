// Village map: switchable layers from the layer endpoints, lazy popups, "locate me", full screen.
// Works with no basemap tiles at all: the vector layers are the content.
(function () {
  "use strict";

  // Leaflet reads a string as HTML: feature data goes in as a text node.
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function readConfig(el) {
    return JSON.parse(document.getElementById(el.dataset.config).textContent);
  }

  function paintSwatches(root) {
    root.querySelectorAll("[data-color]").forEach(function (el) {
      el.style.backgroundColor = el.dataset.color;
    });
  }

  function addBasemaps(map, config) {
    var bases = {};
    var first = null;
    config.tiles.forEach(function (t) {
      var layer = L.tileLayer(t.url, t.options);
      bases[t.name] = layer;
      if (!first) first = layer;
    });
    var overlays = {};
    config.overlays.forEach(function (t) {
      overlays[t.name] = L.tileLayer(t.url, t.options);
    });
    if (first) {
      first.addTo(map);
      Object.keys(overlays).forEach(function (name) { overlays[name].addTo(map); });
      bases["—"] = L.layerGroup();
      L.control.layers(bases, overlays, { position: "topright" }).addTo(map);
    }
    var prefix = '<a href="https://leafletjs.com">Leaflet</a>';
    if (config.approval) prefix += " | " + config.approval;
    map.attributionControl.setPrefix(prefix);
  }

  function colourFor(style, props) {
    if (!style) return null;
    var value = props[style.property];
    for (var i = 0; i < style.items.length; i++) {
      var item = style.items[i];
      if (item.upto !== null && item.upto !== undefined) {
        if (value !== null && value !== undefined && value !== "" && Number(value) <= item.upto) return item.color;
      } else if (item.value === value || (item.value === "" && !value)) {
        return item.color;
      }
    }
    return style.items.length ? style.items[style.items.length - 1].color : null;
  }

  function clusterIcon(count) {
    var size = count < 100 ? 34 : count < 1000 ? 42 : 52;
    return L.divIcon({
      className: "map-cluster",
      html: "<span>" + count + "</span>",
      iconSize: [size, size],
    });
  }

  function LayerView(map, spec, status) {
    this.map = map;
    this.spec = spec;
    this.status = status;
    this.style = spec.styles.length ? spec.styles[0] : null;
    this.group = L.layerGroup();
    this.loaded = null;
  }

  LayerView.prototype.url = function () {
    var url = this.spec.url;
    if (!this.spec.clusterable) return url;
    var b = this.map.getBounds();
    var sep = url.indexOf("?") < 0 ? "?" : "&";
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
      return Math.max(-180, Math.min(180, v)).toFixed(5);
    });
    if (Number(bbox[1]) < -90) bbox[1] = "-90";
    if (Number(bbox[3]) > 90) bbox[3] = "90";
    return url + sep + "bbox=" + bbox.join(",") + "&zoom=" + this.map.getZoom();
  };

  LayerView.prototype.load = function () {
    var self = this;
    var url = self.url();
    if (self.loaded === url) return;
    self.loaded = url;
    // The browser revalidates with the ETag: an unchanged layer comes back as 304, from cache.
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (data) {
        if (self.loaded !== url) return;
        self.draw(data);
      })
      .catch(function () {
        self.loaded = null;
        self.status.textContent = self.status.dataset.failed || "";
      });
  };

  LayerView.prototype.draw = function (data) {
    var self = this;
    self.group.clearLayers();
    var spec = self.spec;
    var geo = L.geoJSON(data, {
      style: function (f) {
        // Points keep their own marker style (a filled dot), set in pointToLayer.
        if (f.geometry && f.geometry.type === "Point") return {};
        var c = colourFor(self.style, f.properties) || spec.color;
        var polygon = spec.type.indexOf("Polygon") >= 0;
        return { color: c, weight: polygon ? 2 : 4, fillOpacity: polygon ? 0.06 : 0.3 };
      },
      pointToLayer: function (f, latlng) {
        if (f.properties.cluster) {
          return L.marker(latlng, { icon: clusterIcon(f.properties.count), keyboard: false });
        }
        var c = colourFor(self.style, f.properties) || spec.color;
        return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 1.5, fillColor: c, fillOpacity: 0.95 });
      },
      onEachFeature: function (f, layer) {
        if (f.properties.cluster) {
          layer.on("click", function () {
            self.map.setView(layer.getLatLng(), Math.min(self.map.getZoom() + 2, self.map.getMaxZoom()));
          });
          return;
        }
        if (spec.labels && f.properties.label) {
          layer.bindTooltip(textNode(f.properties.label), { permanent: true, direction: "center", className: "map-label" });
        }
        layer.bindPopup('<div class="map-popup">…</div>', { maxWidth: 260 });
        layer.on("popupopen", function (e) {
          if (layer._zhucunLoaded) return;
          fetch(spec.popup.replace("{id}", f.properties.id), { credentials: "same-origin" })
            .then(function (r) { return r.text(); })
            .then(function (html) {
              layer._zhucunLoaded = true;
              e.popup.setContent(html);
            });
        });
      },
    });
    geo.addTo(self.group);
    self.geo = geo;
  };

  LayerView.prototype.show = function (on) {
    if (on) {
      this.group.addTo(this.map);
      this.load();
    } else {
      this.map.removeLayer(this.group);
    }
  };

  LayerView.prototype.setStyle = function (key) {
    var self = this;
    self.spec.styles.forEach(function (s) { if (s.key === key) self.style = s; });
    if (self.geo) {
      self.geo.eachLayer(function (layer) {
        var f = layer.feature;
        if (!f || f.properties.cluster) return;
        var c = colourFor(self.style, f.properties) || self.spec.color;
        if (layer.setStyle) layer.setStyle(layer instanceof L.CircleMarker ? { fillColor: c } : { color: c });
      });
    }
  };

  function wireTools(map, wrap, status) {
    var locate = document.getElementById("map-locate");
    var marker = null;
    if (locate) {
      locate.addEventListener("click", function () {
        status.textContent = locate.dataset.searching || "…";
        map.locate({ setView: true, maxZoom: 17, enableHighAccuracy: true });
      });
      map.on("locationfound", function (e) {
        status.textContent = "";
        if (marker) map.removeLayer(marker);
        marker = L.layerGroup([
          L.circle(e.latlng, { radius: e.accuracy, weight: 1, color: "#1565c0", fillOpacity: 0.1 }),
          L.circleMarker(e.latlng, { radius: 6, color: "#fff", fillColor: "#1565c0", fillOpacity: 1 }),
        ]).addTo(map);
      });
      map.on("locationerror", function () {
        status.textContent = locate.dataset.failed || "";
      });
    }
    var full = document.getElementById("map-fullscreen");
    if (full) {
      full.addEventListener("click", function () {
        var on = !wrap.classList.contains("map-fullscreen");
        wrap.classList.toggle("map-fullscreen", on);
        document.body.classList.toggle("map-fullscreen-on", on);
        full.textContent = on ? full.dataset.exit : full.dataset.enter;
        setTimeout(function () { map.invalidateSize(); }, 50);
      });
    }
  }

  function start() {
    var el = document.getElementById("village-map");
    if (!el || !window.L) return;
    var config = readConfig(el);
    var wrap = document.getElementById("map-wrap");
    var status = document.getElementById("map-status");
    var map = L.map(el, { preferCanvas: true, tap: true });
    addBasemaps(map, config);
    if (config.bounds) map.fitBounds(config.bounds);
    else map.setView([32.68, 109.03], 8);
    L.control.scale({ imperial: false }).addTo(map);
    var views = {};
    config.layers.forEach(function (spec) {
      views[spec.key] = new LayerView(map, spec, status);
    });
    paintSwatches(document);
    document.querySelectorAll("input[data-layer]").forEach(function (box) {
      var view = views[box.dataset.layer];
      if (!view) return;
      view.show(box.checked);
      box.addEventListener("change", function () { view.show(box.checked); });
    });
    document.querySelectorAll("select[data-style-for]").forEach(function (select) {
      var key = select.dataset.styleFor;
      select.addEventListener("change", function () {
        views[key].setStyle(select.value);
        document.querySelectorAll('[data-legend="' + key + '"]').forEach(function (ul) {
          ul.hidden = ul.dataset.style !== select.value;
        });
      });
    });
    map.on("moveend", function () {
      Object.keys(views).forEach(function (k) {
        var v = views[k];
        if (v.spec.clusterable && map.hasLayer(v.group)) v.load();
      });
    });
    wireTools(map, wrap, status);
    el.dataset.ready = "1";
    window.zhucunMap = map;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
