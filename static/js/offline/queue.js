// The phone's queue in IndexedDB: records typed with no signal, their photos (as Blobs) and the
// village packages. Everything survives reloads, closing the browser and restarting the phone.
// window.ZhucunQueue is used by sync.js, header.js, capture.js and queue_page.js.
(function () {
  "use strict";
  var DB_NAME = "zhucun-offline";
  var DB_VERSION = 1;
  var dbPromise = null;

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("items")) db.createObjectStore("items", { keyPath: "uuid" });
        if (!db.objectStoreNames.contains("blobs")) db.createObjectStore("blobs", { keyPath: "uuid" });
        if (!db.objectStoreNames.contains("packages")) db.createObjectStore("packages", { keyPath: "village" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { dbPromise = null; reject(request.error); };
    });
    return dbPromise;
  }

  // Run fn(stores) in one transaction; resolves with fn's result once the transaction has committed.
  function tx(names, mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(names, mode);
        var stores = {};
        names.forEach(function (n) { stores[n] = t.objectStore(n); });
        var result;
        Promise.resolve(fn(stores)).then(function (value) { result = value; }, reject);
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
        t.onabort = function () { reject(t.error || new Error("aborted")); };
      });
    });
  }

  function req(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  var channel = "BroadcastChannel" in window ? new BroadcastChannel("zhucun-queue") : null;
  // Coalesced: a sync of hundreds of items must not redraw the queue page hundreds of times.
  var pending = null;
  function changed() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      window.dispatchEvent(new CustomEvent("zhucun:queue"));
      if (channel) channel.postMessage("changed");
    }, 150);
  }
  if (channel) channel.onmessage = function () { window.dispatchEvent(new CustomEvent("zhucun:queue")); };

  // A new item: the record (payload) and its photos, saved in one transaction before anything is sent.
  function add(kind, payload, options) {
    options = options || {};
    var photos = (options.photos || []).map(function (blob) {
      return { uuid: uuid4(), state: "waiting", attempts: 0, nextTry: 0, message: "", size: blob.size, blob: blob };
    });
    var item = {
      uuid: options.uuid || uuid4(),
      kind: kind,
      payload: payload,
      label: options.label || "",
      user: options.user || "",
      state: "waiting",
      recordSent: false,
      message: "",
      attempts: 0,
      nextTry: 0,
      createdAt: Date.now(),
      sentAt: null,
      result: null,
      server: null,
      photos: photos.map(function (p) { return { uuid: p.uuid, state: p.state, attempts: 0, nextTry: 0, message: "", size: p.size }; }),
    };
    return tx(["items", "blobs"], "readwrite", function (s) {
      s.items.put(item);
      photos.forEach(function (p) { s.blobs.put({ uuid: p.uuid, blob: p.blob }); });
    }).then(function () { changed(); return item; });
  }

  function all() {
    return tx(["items"], "readonly", function (s) { return req(s.items.getAll()); }).then(function (items) {
      return items.sort(function (a, b) { return a.createdAt - b.createdAt; });
    });
  }

  function get(id) {
    return tx(["items"], "readonly", function (s) { return req(s.items.get(id)); });
  }

  function put(item, quiet) {
    return tx(["items"], "readwrite", function (s) { s.items.put(item); }).then(function () {
      if (!quiet) changed();
      return item;
    });
  }

  function remove(id) {
    return get(id).then(function (item) {
      return tx(["items", "blobs"], "readwrite", function (s) {
        s.items.delete(id);
        ((item && item.photos) || []).forEach(function (p) { s.blobs.delete(p.uuid); });
      });
    }).then(changed);
  }

  function getBlob(id) {
    return tx(["blobs"], "readonly", function (s) { return req(s.blobs.get(id)); }).then(function (row) {
      return row ? row.blob : null;
    });
  }

  function dropBlob(id) {
    return tx(["blobs"], "readwrite", function (s) { s.blobs.delete(id); });
  }

  function unsent(item) { return item.state !== "sent"; }

  // Counts for the badge: only this user's items (another user's wait for them to log in).
  function counts(user) {
    return all().then(function (items) {
      var mine = items.filter(function (i) { return !user || !i.user || i.user === user; });
      return {
        unsent: mine.filter(unsent).length,
        failed: mine.filter(function (i) { return i.state === "failed" || i.state === "conflict"; }).length,
      };
    });
  }

  function savePackage(row) {
    return tx(["packages"], "readwrite", function (s) { s.packages.put(row); }).then(function () { changed(); return row; });
  }

  function getPackage(village) {
    return tx(["packages"], "readonly", function (s) { return req(s.packages.get(Number(village))); });
  }

  function allPackages() {
    return tx(["packages"], "readonly", function (s) { return req(s.packages.getAll()); });
  }

  // On log-out: the village packages (personal data) and the records already sent go; unsent ones stay.
  function clearPersonal() {
    return all().then(function (items) {
      return tx(["items", "packages"], "readwrite", function (s) {
        s.packages.clear();
        items.filter(function (i) { return i.state === "sent"; }).forEach(function (i) { s.items.delete(i.uuid); });
      });
    }).then(changed);
  }

  window.ZhucunQueue = {
    uuid4: uuid4,
    add: add,
    all: all,
    get: get,
    put: put,
    remove: remove,
    getBlob: getBlob,
    dropBlob: dropBlob,
    counts: counts,
    savePackage: savePackage,
    getPackage: getPackage,
    allPackages: allPackages,
    clearPersonal: clearPersonal,
    changed: changed,
  };
})();
