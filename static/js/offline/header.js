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

  window.ZhucunOffline = { updateBadge: updateBadge, clearPages: clearPages };
})();
