// Daily check-in: attach the phone's position (with its accuracy) before the form is sent.
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  if (!form || !navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(function (pos) {
    form.querySelector("[name=lon]").value = pos.coords.longitude.toFixed(7);
    form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(7);
    form.querySelector("[name=accuracy]").value = Math.round(pos.coords.accuracy);
    document.getElementById("checkin-status").textContent = "± " + Math.round(pos.coords.accuracy) + " m";
  }, function () {}, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
})();
