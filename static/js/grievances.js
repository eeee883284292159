// Dispute intake: fill the hidden latitude/longitude from the phone's GPS (WGS-84) on request.
(function () {
  "use strict";
  document.querySelectorAll("button.locate").forEach(function (button) {
    var status = button.parentElement.querySelector(".locate-status");
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = "无法定位"; return; }
      status.textContent = "…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById(button.dataset.lat).value = pos.coords.latitude.toFixed(6);
        document.getElementById(button.dataset.lon).value = pos.coords.longitude.toFixed(6);
        status.textContent = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5) +
          " ±" + Math.round(pos.coords.accuracy) + " m";
      }, function (error) { status.textContent = error.message; }, { enableHighAccuracy: true, timeout: 15000 });
    });
  });
})();
