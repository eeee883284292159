// Shared behaviour for every page. No inline scripts anywhere: pages pass data with json_script.
(function () {
  "use strict";
  // Close the menu when tapping outside it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  // htmx requests carry the CSRF token from the cookie-less form token on the page.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) event.detail.headers["X-CSRFToken"] = token.value;
  });
})();
