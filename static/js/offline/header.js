// On every page of a logged-in user: the installable app (manifest, service worker), the queue
// badge in the header, sending when the app opens and when the network returns, and the log-out
// guard (warn about unsent records; clear the village packages and cached pages from the phone).
(function () {
  "use strict";
  var Q = window.ZhucunQueue;
  var S = window.ZhucunSync;
  var configNode = document.getElementById("offline-config");
  if (!Q || !S || !configNode) return;
  var config = JSON.parse(configNode.textContent);
  var t = config.strings;
  if (!config.user) return;

  function addToHead(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    document.head.appendChild(node);
  }
  // The manifest link belongs in <head>; the shared layout is left alone and it is added here.
  if (!document.querySelector("link[rel=manifest]")) {
    addToHead("link", { rel: "manifest", href: config.manifest });
    addToHead("meta", { name: "theme-color", content: "#b71c1c" });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // Keep the shell pages for this user (the worker skips redirects and errors).
      if (registration.active) registration.active.postMessage({ type: "warm" });
    }).catch(function (error) { console.warn("service worker", error); });
  }

  var badge = document.getElementById("offline-badge");
  function updateBadge() {
    return Q.counts(config.user).then(function (c) {
      if (!badge) return;
      badge.hidden = c.unsent === 0;
      badge.textContent = t.waiting.replace("__N__", c.unsent);
      badge.classList.toggle("bad", c.failed > 0);
      badge.classList.toggle("offline", !navigator.onLine);
      badge.dataset.count = String(c.unsent);
    });
  }
  window.addEventListener("zhucun:queue", updateBadge);
  window.addEventListener("online", function () { updateBadge(); S.run(); });
  window.addEventListener("offline", updateBadge);
  updateBadge();
  S.run();

  function clearPages() {
    if (!("caches" in window)) return Promise.resolve();
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf("zhucun-pages-") === 0; }).map(function (k) {
        return caches.delete(k);
      }));
    });
  }

  var logout = document.getElementById("logout");
  var form = logout && logout.form;
  if (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.cleared === "1") return;
      event.preventDefault();
      Q.counts(config.user).then(function (c) {
        if (c.unsent > 0 && !window.confirm(t.logout_unsent.replace("__N__", c.unsent))) return;
        return Promise.all([Q.clearPersonal(), clearPages()]).then(function () {
          form.dataset.cleared = "1";
          form.submit();
        });
      });
    });
  }

  // A form of the online pages sent with no signal ends on the browser's error page, and what was
  // typed may be gone: keep it on the page instead, say so, and point to the phone's own form
  // (`data-offline-kind` names the record kind; otherwise the list of the phone's forms).
  document.addEventListener("submit", function (event) {
    var target = event.target;
    // Only the page's own forms: the header's language switch and log-out have their own ways.
    if (navigator.onLine || event.defaultPrevented || !target.closest("main")) return;
    if ((target.getAttribute("method") || "").toLowerCase() !== "post") return;
    event.preventDefault();
    target.querySelectorAll("button[type=submit], input[type=submit], button:not([type])").forEach(function (b) {
      b.disabled = false;  // a page script may have disabled it for the send that did not happen
    });
    var box = document.getElementById("form-kept");
    if (!box) {
      box = document.createElement("div");
      box.id = "form-kept";
      box.className = "errors";
      box.setAttribute("role", "alert");
      var text = document.createElement("p");
      box.appendChild(text);
      var link = document.createElement("a");
      link.className = "button";
      box.appendChild(link);
      target.parentNode.insertBefore(box, target);
    }
    box.firstChild.textContent = t.form_kept;
    var kind = target.dataset.offlineKind;
    box.lastChild.href = kind ? config.capture.replace("__KIND__", kind) : config.queue;
    box.lastChild.textContent = t.form_kept_link;
    box.scrollIntoView({ block: "center" });
  });

  window.ZhucunOffline = { updateBadge: updateBadge, clearPages: clearPages };
})();
