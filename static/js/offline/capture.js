// The capture forms: a submit never goes to the server directly. The record is first saved in the
// phone's queue (with its client UUID and its downscaled photos), then the sync engine sends it.
// Households come from the village package on the phone, so the forms work with no signal.
(function () {
  "use strict";
  var Q = window.ZhucunQueue;
  var S = window.ZhucunSync;
  var P = window.ZhucunPhotos;
  var form = document.getElementById("capture-form");
  if (!Q || !S || !form) return;
  var config = S.config;
  var t = config.strings;
  var kind = form.dataset.kind;
  var note = document.getElementById("capture-note");
  var errorsBox = document.getElementById("capture-errors");
  var photoInput = document.getElementById("capture-photos");
  var previews = document.getElementById("photo-previews");
  var gpsStatus = document.getElementById("gps-status");
  var versionNote = document.getElementById("household-version");
  var editing = new URLSearchParams(location.search).get("edit");
  var fix = null;
  var pkg = null;
  var INTEGER_FIELDS = ["village", "household", "version"];

  function field(name) { return form.elements.namedItem(name); }

  function show(node, text) {
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
  }

  function localNow() {
    var d = new Date();
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 16);
  }

  ["visited_at", "held_at"].forEach(function (name) {
    var input = field(name);
    if (input && !input.value) input.value = localNow();
  });

  // ---- households from the village package
  function householdLabel(h) { return h.number + " " + h.head; }

  function fillHouseholds(selected) {
    var selects = form.querySelectorAll("select[data-households]");
    selects.forEach(function (select) {
      var keep = selected !== undefined ? selected : Array.prototype.map.call(select.selectedOptions, function (o) { return o.value; });
      keep = [].concat(keep).map(String);
      select.innerHTML = "";
      if (!select.multiple) select.appendChild(new Option("—", ""));
      (pkg ? pkg.data.households : []).forEach(function (h) {
        var option = new Option(householdLabel(h), String(h.id));
        option.selected = keep.indexOf(String(h.id)) >= 0;
        select.appendChild(option);
      });
    });
    if (kind === "household_edit") showHousehold();
  }

  function loadPackage(village) {
    pkg = null;
    if (!village) { fillHouseholds(); return Promise.resolve(); }
    return Q.getPackage(village).then(function (row) {
      if (row) return row;
      if (!navigator.onLine) return null;
      return S.downloadPackage(village).catch(function () { return null; });
    }).then(function (row) {
      pkg = row || null;
      if (!pkg && form.querySelector("select[data-households]")) show(note, t.need_package);
      fillHouseholds();
    });
  }

  function currentHousehold() {
    var select = field("household");
    if (!pkg || !select || !select.value) return null;
    return pkg.data.households.filter(function (h) { return String(h.id) === select.value; })[0] || null;
  }

  function showHousehold() {
    var h = currentHousehold();
    if (!h) { show(versionNote, ""); return; }
    if (field("address")) field("address").value = h.address || "";
    if (field("phone")) field("phone").value = h.phone || "";
    show(versionNote, "v" + h.version);
  }

  var villageSelect = field("village");
  if (villageSelect) villageSelect.addEventListener("change", function () { loadPackage(villageSelect.value); });
  var householdSelect = field("household");
  if (householdSelect && kind === "household_edit") householdSelect.addEventListener("change", showHousehold);

  // ---- GPS, optional: the record is kept whether or not a fix arrives
  if (gpsStatus && navigator.geolocation) {
    show(gpsStatus, t.gps_wait);
    navigator.geolocation.getCurrentPosition(function (pos) {
      fix = { lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy_m: pos.coords.accuracy };
      show(gpsStatus, t.gps_ok.replace("__M__", Math.round(pos.coords.accuracy)));
    }, function () { show(gpsStatus, t.gps_none); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  // ---- photos: previews now, downscaled at save
  if (photoInput && previews) {
    photoInput.addEventListener("change", function () {
      previews.innerHTML = "";
      Array.prototype.forEach.call(photoInput.files, function (file) {
        var li = document.createElement("li");
        li.textContent = file.name + " · " + Math.round(file.size / 1024) + " KB";
        previews.appendChild(li);
      });
    });
  }

  // ---- the payload, keyed like offline/payloads.py
  function payloadFromForm() {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit" || el.name === "csrfmiddlewaretoken") return;
      var value;
      if (el.multiple) {
        value = Array.prototype.map.call(el.selectedOptions, function (o) { return Number(o.value); });
      } else if (el.dataset.lines) {
        value = el.value.split(/\n/).map(function (s) { return s.trim(); }).filter(Boolean);
      } else if (el.type === "datetime-local") {
        value = el.value ? new Date(el.value).toISOString() : null;
      } else if (INTEGER_FIELDS.indexOf(el.name) >= 0) {
        value = el.value ? Number(el.value) : null;
      } else if (el.type === "date") {
        value = el.value || null;
      } else {
        value = el.value;
      }
      data[el.name] = value;
    });
    if (fix) { data.lon = fix.lon; data.lat = fix.lat; data.accuracy_m = fix.accuracy_m; }
    if (kind === "household_edit") {
      var h = currentHousehold();
      data.version = h ? h.version : data.version;
      if (h && h.phone === undefined) delete data.phone; // not this role's to change
    }
    return data;
  }

  function labelFor(data) {
    var h = currentHousehold();
    var text = data.title || (h ? householdLabel(h) : "") || (villageSelect ? villageSelect.selectedOptions[0].text : "");
    return (t["kind_" + kind] || kind) + " · " + text;
  }

  function fillFromItem(item) {
    var p = item.payload;
    var chain = Promise.resolve();
    if (villageSelect && p.village) { villageSelect.value = String(p.village); chain = loadPackage(p.village); }
    return chain.then(function () {
      Object.keys(p).forEach(function (name) {
        var el = field(name);
        if (!el || el.type === "file") return;
        var v = p[name];
        if (el.multiple) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = (v || []).map(String).indexOf(o.value) >= 0; });
        } else if (el.dataset && el.dataset.lines) {
          el.value = (v || []).join("\n");
        } else if (el.type === "datetime-local" && v) {
          var d = new Date(v);
          d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
          el.value = d.toISOString().slice(0, 16);
        } else if (v !== null && v !== undefined) {
          el.value = String(v);
        }
      });
      show(errorsBox, item.message);
    });
  }

  function downscaleAll() {
    if (!photoInput || !photoInput.files.length) return Promise.resolve([]);
    return Promise.all(Array.prototype.map.call(photoInput.files, function (file) { return P.downscale(file); }));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(errorsBox, "");
    show(note, "");
    if (!form.reportValidity()) return;
    var data = payloadFromForm();
    var label = labelFor(data);
    var save;
    if (editing) {
      save = Q.get(editing).then(function (item) {
        if (!item) return null;
        item.payload = data;
        item.label = label;
        item.state = "waiting";
        item.message = "";
        item.errors = null;
        item.attempts = 0;
        item.nextTry = 0;
        return Q.put(item);
      });
    } else {
      save = downscaleAll().then(function (blobs) {
        return Q.add(kind, data, { photos: blobs, label: label, user: config.user });
      }, function () {
        show(errorsBox, t.photo_too_big);
        throw new Error("photo");
      });
    }
    save.then(function () {
      S.run();
      if (editing) { location.href = config.queue; return; }
      var village = villageSelect ? villageSelect.value : "";
      form.reset();
      if (villageSelect) villageSelect.value = village;
      fillHouseholds([]);
      ["visited_at", "held_at"].forEach(function (name) { if (field(name)) field(name).value = localNow(); });
      if (previews) previews.innerHTML = "";
      show(note, t.saved);
      window.scrollTo(0, 0);
    }).catch(function (error) { console.error(error); });
  });

  // Start: the chosen (or only) village's households, or the item being corrected.
  if (editing) {
    Q.get(editing).then(function (item) { if (item) fillFromItem(item); });
  } else if (villageSelect && villageSelect.value) {
    loadPackage(villageSelect.value);
  }
})();
