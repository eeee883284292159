// The sync engine: sends queued items oldest first, each record then its photos one by one.
// The client UUIDs make every retry safe (the server returns the first record), so an upload cut
// in the middle is simply sent again. One item the server refuses never stops the others; a lost
// network stops the run and it starts again on `online`, on app open, on "send now", or at the
// next retry time (exponential back-off).
(function () {
  "use strict";
  var Q = window.ZhucunQueue;
  var configNode = document.getElementById("offline-config");
  if (!Q || !configNode) return;
  var config = JSON.parse(configNode.textContent);
  var BASE_DELAY = 5000;
  var MAX_DELAY = 30 * 60 * 1000;
  var SENT_KEEP_MS = 7 * 24 * 3600 * 1000;
  var timer = null;
  var runAgain = false;
  var running = false;
  var status = { online: navigator.onLine, authenticated: true, lastRun: null };

  function backoff(attempts) {
    var delay = Math.min(BASE_DELAY * Math.pow(2, Math.max(attempts - 1, 0)), MAX_DELAY);
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  function NetworkDown(message) { this.message = message; }

  // A fetch that never hangs forever on a weak signal.
  function fetchWithTimeout(url, options, ms) {
    var controller = new AbortController();
    var t = setTimeout(function () { controller.abort(); }, ms || 30000);
    options = Object.assign({ credentials: "same-origin", cache: "no-store", signal: controller.signal }, options);
    return fetch(url, options).then(function (r) { clearTimeout(t); return r; }, function (e) {
      clearTimeout(t);
      throw new NetworkDown(String(e && e.message || e));
    });
  }

  function ping() {
    return fetchWithTimeout(config.ping, { headers: { Accept: "application/json" } }, 10000).then(function (r) {
      if (!r.ok) throw new NetworkDown("ping " + r.status);
      return r.json();
    });
  }

  // Sort the answer: sent, refused (the user must act), or to be retried later.
  function classify(response) {
    return response.text().then(function (text) {
      var body = null;
      try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
      var s = response.status;
      if (s === 200 || s === 201) return { outcome: "sent", body: body || {} };
      if (s === 409 && body && body.server) return { outcome: "conflict", body: body };
      // Our API always answers refusals with a `message`; anything else (CSRF, expired session,
      // a proxy's error page, 5xx) is not about the item, so it is retried.
      if (s >= 400 && s < 500 && s !== 408 && s !== 429 && body && body.message) {
        return { outcome: "failed", body: body };
      }
      if (s === 413) return { outcome: "failed", body: { message: (body && body.message) || config.strings.photo_too_big } };
      if (s === 403 || s === 401) return { outcome: "auth", body: body || {} };
      return { outcome: "retry", body: body || {}, status: s };
    });
  }

  function postRecord(item, csrf) {
    return fetchWithTimeout(config.items, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ kind: item.kind, client_uuid: item.uuid, payload: item.payload }),
    }).then(classify);
  }

  function postPhoto(item, photo, csrf) {
    return Q.getBlob(photo.uuid).then(function (blob) {
      if (!blob) return { outcome: "failed", body: { message: config.strings.photo_too_big } };
      var form = new FormData();
      form.append("client_uuid", photo.uuid);
      form.append("parent_kind", item.kind);
      form.append("parent_uuid", item.uuid);
      form.append("image", blob, photo.uuid + ".jpg");
      return fetchWithTimeout(config.photos, {
        method: "POST",
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
        body: form,
      }, 120000).then(classify);
    });
  }

  function later(target, message) {
    target.attempts = (target.attempts || 0) + 1;
    target.nextTry = Date.now() + backoff(target.attempts);
    if (message !== undefined) target.message = message;
  }

  function settle(item) {
    if (item.state === "failed" || item.state === "conflict") return;
    var photosLeft = item.photos.some(function (p) { return p.state !== "sent"; });
    var photoFailed = item.photos.filter(function (p) { return p.state === "failed"; })[0];
    if (photoFailed) {
      item.state = "failed";
      item.message = photoFailed.message;
    } else if (item.recordSent && !photosLeft) {
      item.state = "sent";
      item.message = "";
      item.sentAt = Date.now();
    } else {
      item.state = "waiting";
    }
  }

  function due(target, force) { return force || !target.nextTry || target.nextTry <= Date.now(); }

  // Send one item; throws NetworkDown when the network is gone (the run stops, nothing is lost).
  function sendItem(item, csrf, force) {
    var step = Promise.resolve();
    if (!item.recordSent) {
      if (!due(item, force)) return step;
      item.state = "sending";
      step = Q.put(item, true).then(function () { return postRecord(item, csrf); }).then(function (answer) {
        if (answer.outcome === "sent") {
          item.recordSent = true;
          item.result = answer.body;
          item.attempts = 0;
          item.nextTry = 0;
          item.message = "";
        } else if (answer.outcome === "conflict") {
          item.state = "conflict";
          item.server = answer.body.server;
          item.message = answer.body.message;
        } else if (answer.outcome === "failed") {
          item.state = "failed";
          item.message = answer.body.message;
          item.errors = answer.body.errors || null;
        } else {
          later(item, answer.body.message || "");
          item.state = "waiting";
          if (answer.outcome === "auth") throw new NetworkDown("auth");
        }
      }, function (error) {
        later(item);
        item.state = "waiting";
        return Q.put(item).then(function () { throw error; });
      });
    }
    return step.then(function () {
      if (!item.recordSent) return Q.put(item);
      // Photos after their record, one at a time, each retried on its own.
      var chain = Promise.resolve();
      item.photos.forEach(function (photo) {
        chain = chain.then(function () {
          if (photo.state === "sent" || photo.state === "failed" || !due(photo, force)) return;
          photo.state = "sending";
          return Q.put(item, true).then(function () { return postPhoto(item, photo, csrf); }).then(function (answer) {
            if (answer.outcome === "sent") {
              photo.state = "sent";
              photo.message = "";
              return Q.dropBlob(photo.uuid);
            }
            if (answer.outcome === "failed" || answer.outcome === "conflict") {
              photo.state = "failed";
              photo.message = answer.body.message;
              return;
            }
            photo.state = "waiting";
            later(photo, answer.body.message || "");
            if (answer.outcome === "auth") throw new NetworkDown("auth");
          }, function (error) {
            photo.state = "waiting";
            later(photo);
            settle(item);
            return Q.put(item).then(function () { throw error; });
          });
        });
      });
      return chain.then(function () { settle(item); return Q.put(item); });
    });
  }

  function schedule(items) {
    if (timer) clearTimeout(timer);
    var next = Infinity;
    items.forEach(function (item) {
      if (item.state !== "waiting" || (status.user && item.user && item.user !== status.user)) return;
      if (!item.recordSent) next = Math.min(next, item.nextTry || 0);
      item.photos.forEach(function (p) { if (p.state === "waiting") next = Math.min(next, p.nextTry || 0); });
    });
    if (next === Infinity) return;
    timer = setTimeout(function () { run(); }, Math.max(next - Date.now(), 1000));
  }

  function pass(force) {
    return ping().then(function (who) {
      status.authenticated = who.authenticated;
      status.user = who.user;
      status.online = true;
      if (!who.authenticated) return Q.all().then(schedule);
      return Q.all().then(function (items) {
        var mine = items.filter(function (i) { return !i.user || i.user === who.user; });
        // Prune what was sent long ago; nothing unsent is ever removed here.
        var old = mine.filter(function (i) { return i.state === "sent" && i.sentAt && Date.now() - i.sentAt > SENT_KEEP_MS; });
        var todo = mine.filter(function (i) { return i.state === "waiting" || i.state === "sending"; });
        var chain = Promise.all(old.map(function (i) { return Q.remove(i.uuid); }));
        todo.forEach(function (item) {
          chain = chain.then(function () {
            if (item.state === "sending") item.state = "waiting"; // a run that died half-way
            return sendItem(item, who.csrf, force);
          });
        });
        return chain.then(function () { return Q.all(); }).then(schedule);
      });
    }, function () {
      status.online = false;
      return Q.all().then(schedule);
    });
  }

  function run(options) {
    var force = !!(options && options.force);
    if (running) { runAgain = true; return Promise.resolve(); }
    running = true;
    var work = function () {
      return pass(force).catch(function (error) {
        if (!(error instanceof NetworkDown)) console.error(error);
        status.online = navigator.onLine && !(error instanceof NetworkDown && error.message !== "auth");
        return Q.all().then(schedule);
      });
    };
    // One sender across tabs: a second tab skips while the first one sends.
    var locked = navigator.locks
      ? navigator.locks.request("zhucun-sync", { ifAvailable: true }, function (lock) { return lock ? work() : null; })
      : work();
    return Promise.resolve(locked).then(function () {
      status.lastRun = Date.now();
      running = false;
      Q.changed();
      if (runAgain) { runAgain = false; return run(options); }
    }, function (error) {
      running = false;
      console.error(error);
    });
  }

  // "Take my village offline": one JSON document, kept in IndexedDB with its size and time.
  function downloadPackage(village) {
    var url = config.package.replace("__ID__", String(village));
    return Q.getPackage(village).then(function (old) {
      var headers = { Accept: "application/json" };
      if (old && old.etag) headers["If-None-Match"] = old.etag;
      return fetchWithTimeout(url, { headers: headers }, 60000).then(function (r) {
        if (r.status === 304 && old) {
          old.fetchedAt = Date.now();
          return Q.savePackage(old);
        }
        if (!r.ok) throw new Error("package " + r.status);
        return r.text().then(function (text) {
          var data = JSON.parse(text);
          return Q.savePackage({
            village: Number(village),
            data: data,
            etag: r.headers.get("ETag") || data.etag,
            size: new Blob([text]).size,
            generationMs: data.generation_ms,
            fetchedAt: Date.now(),
          });
        });
      });
    });
  }

  window.ZhucunSync = { run: run, status: status, backoff: backoff, downloadPackage: downloadPackage, config: config };
})();
