/* Zhucun service worker, served from /sw.js (scope "/") by offline.views.service_worker.
 * Static files: cache-first (the shell, Leaflet included, is fetched once at install).
 * Pages: network-first with a time limit, the cached copy when there is no signal.
 * The API, uploads, media and the admin always go to the network: the queue in IndexedDB,
 * not this cache, is what keeps records typed offline.
 */
"use strict";

var VERSION = "__CACHE_VERSION__";
var STATIC_SHELL = __STATIC_SHELL__;
var PAGE_SHELL = __PAGE_SHELL__;
var STATIC_CACHE = "zhucun-static-" + VERSION;
var PAGE_CACHE = "zhucun-pages-" + VERSION;
// Past this wait on a page, the cached copy is shown (if there is one); a failed fetch shows it at once.
// Long enough that a merely slow server never gets a stale page instead of a fresh one.
var NETWORK_WAIT_MS = 10000;
var NEVER_CACHED = ["/offline/api/", "/offline/package/", "/media/", "/admin/", "/api/", "/accounts/", "/i18n/", "/sw.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) { return cache.addAll(STATIC_SHELL); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("zhucun-") === 0 && key !== STATIC_CACHE && key !== PAGE_CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function cacheable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

function warm() {
  return caches.open(PAGE_CACHE).then(function (cache) {
    return Promise.all(PAGE_SHELL.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (cacheable(response)) return cache.put(url, response);
      }).catch(function () {});
    }));
  });
}

self.addEventListener("message", function (event) {
  var type = event.data && event.data.type;
  // A page whose navigation was already under way when this worker activated was missed by the
  // claim() in "activate" and would stay uncontrolled until the next navigation: take it now.
  if (type === "warm") event.waitUntil(Promise.all([warm(), self.clients.claim()]));
  if (type === "clear-pages") event.waitUntil(caches.delete(PAGE_CACHE));
});

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      if (cacheable(response)) {
        var copy = response.clone();
        caches.open(STATIC_CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

function fromCache(request) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    // Pages vary on Cookie and Accept-Language; the cache holds one user's pages (cleared at log-out).
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      return hit || cache.match(request, { ignoreSearch: true, ignoreVary: true });
    }).then(function (hit) {
      // With no copy of this page, the queue page still opens (it is drawn from IndexedDB).
      if (hit) return hit;
      return cache.match(PAGE_SHELL[1], { ignoreVary: true }).then(function (queue) { return queue || Response.error(); });
    });
  });
}

function networkFirst(request) {
  return new Promise(function (resolve) {
    var settled = false;
    var timer = setTimeout(function () {
      caches.open(PAGE_CACHE).then(function (cache) { return cache.match(request, { ignoreVary: true }); }).then(function (hit) {
        if (!settled && hit && hit.type !== "error") { settled = true; resolve(hit); }
      });
    }, NETWORK_WAIT_MS);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      if (cacheable(response)) {
        var copy = response.clone();
        caches.open(PAGE_CACHE).then(function (cache) { cache.put(request, copy); });
      }
      if (!settled) { settled = true; resolve(response); }
    }, function () {
      clearTimeout(timer);
      fromCache(request).then(function (hit) {
        if (!settled) { settled = true; resolve(hit); }
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER_CACHED.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; })) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});
