// The queue page: every item with its state and the server's message; "send now"; correct or
// discard a refused item; choose between the two versions of a stale edit; the village packages.
(function () {
  "use strict";
  var Q = window.ZhucunQueue;
  var S = window.ZhucunSync;
  var list = document.getElementById("queue-list");
  if (!Q || !S || !list) return;
  var config = S.config;
  var t = config.strings;
  var statusLine = document.getElementById("offline-status");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // As offices write it: "11月27日 12:20" (Intl's zh-CN gives "11/27 12:20"); English pages get English.
  function time(ms) {
    var d = new Date(ms);
    var hm = ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    if ((document.documentElement.lang || "zh").toLowerCase().indexOf("zh") === 0) {
      return (d.getMonth() + 1) + "月" + d.getDate() + "日 " + hm;
    }
    return d.toLocaleString("en-GB", { day: "numeric", month: "short" }) + " " + hm;
  }

  function sizeText(bytes) {
    return bytes >= 1024 * 1024 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function button(text, cls, onClick) {
    var b = el("button", { type: "button", class: cls }, text);
    b.addEventListener("click", onClick);
    return b;
  }

  function conflictTable(item) {
    var table = el("table", { class: "table conflict" });
    var head = el("tr");
    head.appendChild(el("th", {}, ""));
    head.appendChild(el("th", {}, t.mine));
    head.appendChild(el("th", {}, t.server));
    table.appendChild(head);
    Object.keys(item.server || {}).forEach(function (key) {
      if (key === "version") return;
      var row = el("tr", { "data-field": key });
      row.appendChild(el("th", {}, t["field_" + key] || key));
      row.appendChild(el("td", { class: "mine" }, item.payload[key]));
      row.appendChild(el("td", { class: "server" }, item.server[key]));
      table.appendChild(row);
    });
    return table;
  }

  function keepMine(item) {
    item.payload.version = item.server.version; // the user saw the server's version and overrides it
    item.server = null;
    item.state = "waiting";
    item.message = "";
    item.attempts = 0;
    item.nextTry = 0;
    return Q.put(item).then(function () { return S.run({ force: true }); });
  }

  function keepServer(item) {
    // Refresh the phone's copy of the household with the server's version, then drop the edit.
    return Q.getPackage(item.payload.village).then(function (pkg) {
      if (!pkg) return;
      pkg.data.households.forEach(function (h) {
        if (h.id === item.payload.household) Object.assign(h, item.server);
      });
      return Q.savePackage(pkg);
    }).then(function () { return Q.remove(item.uuid); });
  }

  function render() {
    return Q.all().then(function (items) {
      list.innerHTML = "";
      var shown = items.slice().reverse();
      if (!shown.length) list.appendChild(el("li", { class: "muted empty" }, t.empty));
      shown.forEach(function (item) {
        var li = el("li", { class: "queue-item state-" + item.state, "data-uuid": item.uuid, "data-state": item.state });
        var top = el("div", { class: "queue-top" });
        top.appendChild(el("b", { class: "queue-label" }, item.label || item.kind));
        top.appendChild(el("span", { class: "queue-state" }, t["state_" + item.state] || item.state));
        li.appendChild(top);
        li.appendChild(el("small", { class: "muted" }, time(item.createdAt)));
        if (item.user && item.user !== config.user) {
          li.appendChild(el("p", { class: "muted" }, t.other_user.replace("__USER__", item.user)));
        }
        if (item.photos.length) {
          var sent = item.photos.filter(function (p) { return p.state === "sent"; }).length;
          li.appendChild(el("p", { class: "queue-photos" }, t.photos.replace("__SENT__", sent).replace("__N__", item.photos.length)));
        }
        if (item.message) li.appendChild(el("p", { class: "queue-message error" }, item.message));
        if (item.state === "waiting" && item.attempts) {
          li.appendChild(el("small", { class: "muted" },
            t.attempts.replace("__N__", item.attempts) + " · " + t.next_try.replace("__TIME__", time(item.nextTry))));
        }
        var actions = el("div", { class: "queue-actions" });
        if (item.state === "failed") {
          var link = el("a", { class: "button", href: config.capture.replace("__KIND__", item.kind) + "?edit=" + item.uuid }, t.correct);
          if (!item.recordSent) actions.appendChild(link);
        }
        if (item.state === "conflict") {
          li.appendChild(conflictTable(item));
          actions.appendChild(button(t.keep_mine, "primary keep-mine", function () { keepMine(item); }));
          actions.appendChild(button(t.keep_server, "keep-server", function () { keepServer(item); }));
        }
        if (item.state === "failed") {
          actions.appendChild(button(t.discard, "discard", function () {
            if (window.confirm(t.discard_confirm)) Q.remove(item.uuid);
          }));
        }
        if (actions.childNodes.length) li.appendChild(actions);
        list.appendChild(li);
      });
      if (statusLine) {
        var text = !navigator.onLine || !S.status.online ? t.offline : !S.status.authenticated ? t.not_logged_in : "";
        statusLine.textContent = text;
        statusLine.hidden = !text;
      }
    });
  }

  // ---- village packages
  function renderPackages() {
    document.querySelectorAll(".package-row").forEach(function (row) {
      Q.getPackage(row.dataset.village).then(function (pkg) {
        var info = row.querySelector(".package-info");
        if (!pkg) { info.textContent = t.package_none; row.dataset.loaded = ""; return; }
        info.textContent = t.package_info
          .replace("__H__", pkg.data.households.length)
          .replace("__SIZE__", sizeText(pkg.size))
          .replace("__TIME__", time(pkg.fetchedAt));
        row.dataset.loaded = "1";
      });
    });
  }

  document.querySelectorAll(".package-get").forEach(function (b) {
    b.addEventListener("click", function () {
      var row = b.closest(".package-row");
      var info = row.querySelector(".package-info");
      info.textContent = t.package_loading;
      b.disabled = true;
      S.downloadPackage(row.dataset.village).then(renderPackages, function () {
        info.textContent = t.package_failed;
      }).then(function () { b.disabled = false; });
    });
  });

  var sendNow = document.getElementById("send-now");
  if (sendNow) sendNow.addEventListener("click", function () { S.run({ force: true }).then(render); });

  window.addEventListener("zhucun:queue", function () { render(); renderPackages(); });
  window.addEventListener("online", render);
  window.addEventListener("offline", render);
  render();
  renderPackages();
})();
