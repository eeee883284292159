// The visit form on a phone: GPS fix with its accuracy, household search and "nearest to me",
// photos downscaled to JPEG on the phone before upload, and a client UUID so a resubmission never duplicates.
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form) return;
  var data = form.dataset;
  var poorM = parseFloat(data.poorM || "50");
  var maxSide = parseInt(data.maxSide || "1600", 10);
  var status = document.getElementById("gps-status");
  var results = document.getElementById("household-results");
  var chosen = document.getElementById("household-chosen");
  var uuid = form.querySelector("[name=client_uuid]");
  var fix = null;

  function randomUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  if (uuid && !uuid.value) uuid.value = randomUuid();

  function setStatus(text, kind) {
    status.textContent = text;
    status.className = "gps " + (kind || "muted");
  }

  function locate(then) {
    if (!navigator.geolocation) { setStatus(data.msgNogps, "warn"); return; }
    setStatus(data.msgLocating);
    navigator.geolocation.getCurrentPosition(function (pos) {
      fix = pos.coords;
      form.querySelector("[name=lon]").value = fix.longitude.toFixed(7);
      form.querySelector("[name=lat]").value = fix.latitude.toFixed(7);
      form.querySelector("[name=accuracy]").value = Math.round(fix.accuracy);
      var metres = String(Math.round(fix.accuracy));
      if (fix.accuracy > poorM) setStatus(data.msgPoor.replace("%s", metres), "warn");
      else setStatus(data.msgAccuracy.replace("%s", metres), "ok");
      if (then) then();
    }, function () { setStatus(data.msgNogps, "warn"); }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  }

  function choose(item) {
    form.querySelector("[name=household]").value = item.id;
    chosen.textContent = item.label + (item.group ? " · " + item.group : "");
    chosen.hidden = false;
    results.textContent = "";
  }

  function show(items) {
    results.textContent = "";
    if (!items.length) {
      var li = document.createElement("li"); li.className = "muted"; li.textContent = data.msgNone;
      results.appendChild(li); return;
    }
    items.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = item.label + (item.group ? " · " + item.group : "") + (item.metres !== null ? " · " + item.metres + " m" : "");
      button.addEventListener("click", function () { choose(item); });
      li.appendChild(button); results.appendChild(li);
    });
  }

  function search(params) {
    fetch(data.searchUrl + "?" + new URLSearchParams(params), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (body) { show(body.results || []); })
      .catch(function () { show([]); });
  }

  var timer = null;
  document.getElementById("household-q").addEventListener("input", function (event) {
    clearTimeout(timer);
    var q = event.target.value.trim();
    timer = setTimeout(function () { if (q) search({ q: q }); else results.textContent = ""; }, 250);
  });
  document.getElementById("nearest").addEventListener("click", function () {
    if (fix) search({ lon: fix.longitude, lat: fix.latitude });
    else locate(function () { search({ lon: fix.longitude, lat: fix.latitude }); });
  });

  // Photos: redraw each on a canvas at most maxSide px and send the JPEG instead of the original.
  var input = document.getElementById("id_photos");
  var previews = document.getElementById("photo-previews");
  var save = document.getElementById("visit-save");
  function downscale(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          resolve(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }));
        }, "image/jpeg", 0.8);
      });
    }).catch(function () { return file; });  // not decodable here: let the server judge it
  }
  if (input && window.DataTransfer && window.createImageBitmap) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      if (!files.length) return;
      save.disabled = true;
      var label = save.textContent; save.textContent = data.msgPhotos;
      Promise.all(files.map(downscale)).then(function (small) {
        var transfer = new DataTransfer();
        previews.textContent = "";
        small.forEach(function (f) {
          transfer.items.add(f);
          var img = document.createElement("img");
          img.src = URL.createObjectURL(f); img.alt = ""; img.dataset.bytes = f.size;
          previews.appendChild(img);
        });
        input.files = transfer.files;
        save.disabled = false; save.textContent = label;
        previews.dataset.ready = "1";
      });
    });
  }
  form.addEventListener("submit", function () { save.disabled = true; });
  locate();
})();
