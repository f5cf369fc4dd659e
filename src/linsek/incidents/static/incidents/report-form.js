/* The mobile report form. A report is first written to IndexedDB (the outbox), then sent; on a network error
   it stays there and is sent again when the network returns (online event, page load, every 30 s, or the
   service worker's background sync). Each report carries a UUID made here: a resend returns the original. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var DB = "linsek-outbox", STORE = "reports";
  var outboxNote = document.getElementById("outbox"), errors = document.getElementById("form-errors");
  var sentBox = document.getElementById("sent"), sentList = document.getElementById("sent-list");

  function uuid4() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function db() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "uuid" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode), out = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : undefined); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function csrf() { return form.querySelector("input[name=csrfmiddlewaretoken]").value; }
  function note(text) { outboxNote.hidden = !text; outboxNote.textContent = text || ""; }
  function showSent(text) {
    sentBox.hidden = false;
    var li = document.createElement("li"); li.textContent = text; sentList.insertBefore(li, sentList.firstChild);
  }
  function showErrors(body) {
    errors.textContent = "";
    var list = Array.isArray(body.detail) ? body.detail : [{ loc: [], msg: body.detail || "ditolak" }];
    list.forEach(function (d) {
      var p = document.createElement("p");
      p.textContent = (d.loc && d.loc.length ? d.loc[d.loc.length - 1] + ": " : "") + d.msg;
      errors.appendChild(p);
    });
  }

  function send(entry) {
    return fetch(form.dataset.submit, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": entry.csrf || csrf() },
      body: JSON.stringify(entry.report)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return { status: response.status, body: body }; });
    });
  }
  var flushing = null;
  function flush() {  /* one flush at a time: a second call waits for the running one */
    if (flushing) { return flushing; }
    flushing = flushOnce().then(function () { flushing = null; }, function () { flushing = null; });
    return flushing;
  }
  function flushOnce() {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (entries) {
      entries = entries || [];
      if (!entries.length) { note(""); return; }
      note(entries.length + " laporan menunggu jaringan…");
      return entries.reduce(function (p, entry) {
        return p.then(function () {
          return send(entry).then(function (r) {
            if (r.status === 201 || r.status === 200) {
              showSent(r.body.reference + " — " + (r.body.lead || "diterima") + (r.body.replayed ? " (kiriman ulang)" : ""));
              return tx("readwrite", function (s) { return s.delete(entry.uuid); });
            }
            if (r.status === 409 || r.status === 422 || r.status === 400) {  /* the server refused it: keep nothing silently */
              showErrors(r.body);
              return tx("readwrite", function (s) { return s.delete(entry.uuid); });
            }
            /* 401/403/5xx: keep it for later */
          }, function () { /* offline: keep it */ });
        });
      }, Promise.resolve()).then(function () {
        return tx("readonly", function (s) { return s.count(); }).then(function (n) { note(n ? n + " laporan menunggu jaringan…" : ""); });
      });
    });
  }

  var kind = document.getElementById("f-kind"), crowd = document.getElementById("crowd-field"), sev = document.getElementById("f-severity");
  function kindChanged() {
    var opt = kind.options[kind.selectedIndex];
    crowd.hidden = opt.dataset.crowd !== "1";
    sev.value = opt.dataset.severity;
  }
  kind.addEventListener("change", kindChanged); kindChanged();

  document.getElementById("use-location").addEventListener("click", function () {
    var state = document.getElementById("geo-state");
    if (!navigator.geolocation) { state.textContent = "lokasi tidak tersedia"; return; }
    state.textContent = "mencari lokasi…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("f-lat").value = pos.coords.latitude.toFixed(6);
      document.getElementById("f-lon").value = pos.coords.longitude.toFixed(6);
      state.textContent = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
    }, function () { state.textContent = "lokasi tidak didapat"; }, { timeout: 15000 });
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    errors.textContent = "";
    var report = { uuid: uuid4(), observed_at: new Date().toISOString() };
    new FormData(form).forEach(function (value, key) {
      if (key === "csrfmiddlewaretoken" || value === "") { return; }
      report[key] = (key === "severity" || key === "people_count" || key === "ballot_count") ? Number(value)
        : (key === "lat" || key === "lon") ? Number(value) : value;
    });
    var entry = { uuid: report.uuid, report: report, csrf: csrf(), queued_at: Date.now() };
    tx("readwrite", function (s) { return s.put(entry); }).then(function () {
      form.reset(); kindChanged();
      if (!navigator.onLine && "serviceWorker" in navigator && "SyncManager" in window) {
        /* offline: also let the service worker send it when the network returns, even if this page is closed */
        navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register("linsek-outbox"); }).catch(function () {});
      }
      return flush();
    });
  });

  window.addEventListener("online", flush);
  window.setInterval(flush, 30000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(form.dataset.sw, { scope: "/laporan/" }).catch(function () {});
  }
  flush();
})();
