/* linsek service worker (served from /laporan/sw.js): keeps the report form usable offline and, where the
   browser supports Background Sync, sends the outbox (IndexedDB "linsek-outbox") when the network returns. */
"use strict";
var CACHE = "linsek-form-v1";
var SHELL = ["/laporan/baru/"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var req = event.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) { return; }
  var cacheable = url.pathname === "/laporan/baru/" || url.pathname.indexOf("/static/") === 0;
  if (!cacheable) { return; }
  /* network first (fresh CSRF token and assets), the cached copy when offline */
  event.respondWith(fetch(req).then(function (res) {
    if (res.ok) { var copy = res.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
    return res;
  }).catch(function () { return caches.match(req); }));
});

function outbox(mode, fn) {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open("linsek-outbox", 1);
    open.onupgradeneeded = function () { open.result.createObjectStore("reports", { keyPath: "uuid" }); };
    open.onerror = function () { reject(open.error); };
    open.onsuccess = function () {
      var t = open.result.transaction("reports", mode), r = fn(t.objectStore("reports"));
      t.oncomplete = function () { resolve(r && r.result); };
      t.onerror = function () { reject(t.error); };
    };
  });
}
self.addEventListener("sync", function (event) {
  if (event.tag !== "linsek-outbox") { return; }
  event.waitUntil(outbox("readonly", function (s) { return s.getAll(); }).then(function (entries) {
    return Promise.all((entries || []).map(function (entry) {
      return fetch("/laporan/kirim/", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": entry.csrf },
        body: JSON.stringify(entry.report)
      }).then(function (res) {
        if (res.status === 201 || res.status === 200 || res.status === 409 || res.status === 422) {
          return outbox("readwrite", function (s) { return s.delete(entry.uuid); });
        }
      });
    }));
  }));
});
