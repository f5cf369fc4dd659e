/* The common picture, live: the report list and map follow /live/reports (Server-Sent Events).
   Every text goes in through textContent (reports carry user-written text: never innerHTML). */
(function () {
  "use strict";
  var table = document.getElementById("report-list");
  document.querySelectorAll("[data-colour]").forEach(function (el) { el.style.setProperty("--c", el.dataset.colour); });
  if (!table) { return; }
  var kinds = readJson("kind-names"), statusNames = readJson("status-names");
  var tbody = table.tBodies[0], detail = table.dataset.detail, statusFilter = table.dataset.statusFilter || "";
  var selectable = table.dataset.selectable === "1";
  var OPEN = { "new": 1, "acknowledged": 1, "verified": 1, "in_handling": 1 };
  var state = document.getElementById("live-state");

  function readJson(id) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }
  function cell(tr, text, cls) { var td = document.createElement("td"); td.textContent = text; if (cls) { td.className = cls; } tr.appendChild(td); return td; }
  function wanted(ev) {
    if (statusFilter === "open") { return !!OPEN[ev.status]; }
    return !statusFilter || statusFilter === ev.status;
  }
  function hhmm(iso) { var d = new Date(iso); return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2); }

  function row(ev) {
    var tr = document.createElement("tr");
    tr.dataset.id = ev.id;
    tr.className = "sev-" + ev.severity + " fresh";
    if (selectable) {
      var td = document.createElement("td"), box = document.createElement("input");
      box.type = "checkbox"; box.name = "ids"; box.value = ev.id; box.setAttribute("aria-label", ev.ref);
      td.appendChild(box); tr.appendChild(td);
    }
    var link = document.createElement("a");
    link.href = detail.replace("/0/", "/" + ev.id + "/");
    link.textContent = ev.ref;
    var first = document.createElement("td"); first.appendChild(link); tr.appendChild(first);
    var t = cell(tr, hhmm(ev.received_at)); t.title = ev.received_at;
    cell(tr, ev.kind);
    cell(tr, ev.severity + (ev.crowd_level ? " · " + ev.crowd_level : ""), "num");
    cell(tr, (statusNames[ev.status] || ev.status) + (ev.handled_by ? " · " + ev.handled_by : ""));
    cell(tr, ev.lead || "—");
    cell(tr, (ev.title || "").slice(0, 80));
    return tr;
  }

  function upsert(ev) {
    var old = tbody.querySelector('tr[data-id="' + ev.id + '"]');
    var empty = tbody.querySelector("tr.empty");
    if (!wanted(ev)) { if (old) { old.remove(); } return; }
    var fresh = row(ev);
    if (old) {
      var box = old.querySelector("input[type=checkbox]");
      if (box && box.checked) { fresh.querySelector("input[type=checkbox]").checked = true; }
      old.replaceWith(fresh);
    } else {
      if (empty) { empty.remove(); }
      tbody.insertBefore(fresh, tbody.firstChild);
      while (tbody.rows.length > 300) { tbody.deleteRow(tbody.rows.length - 1); }
    }
    window.setTimeout(function () { fresh.classList.remove("fresh"); }, 4000);
  }

  /* --- map --- */
  var mapEl = document.getElementById("inc-map"), map = null, markers = {}, districtLayer = null;
  var COLOURS = { 1: "#607d8b", 2: "#f9a825", 3: "#ef6c00", 4: "#c62828" };
  function marker(id, sev, lat, lon, title) {
    if (!map || lat === null || lon === null) { return; }
    var m = markers[id];
    var style = { radius: 4 + sev * 2, color: COLOURS[sev] || "#455a64", weight: 1, fillOpacity: 0.7 };
    if (m) { m.setLatLng([lat, lon]).setStyle(style); return; }
    m = window.L.circleMarker([lat, lon], style).addTo(map);
    m.bindTooltip("L" + id + " " + (title || ""));
    m.on("click", function () { window.location.href = detail.replace("/0/", "/" + id + "/"); });
    markers[id] = m;
  }
  function loadLayer() {
    if (!mapEl) { return; }
    fetch(mapEl.dataset.layer, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var f = data.fields, bounds = [];
      data.reports.forEach(function (r) {
        marker(r[f.indexOf("id")], r[f.indexOf("severity")], r[f.indexOf("lat")], r[f.indexOf("lon")], r[f.indexOf("title")]);
        bounds.push([r[f.indexOf("lat")], r[f.indexOf("lon")]]);
      });
      if (districtLayer) { districtLayer.clearLayers(); }
      data.districts.forEach(function (d) {
        var li = document.querySelector('#district-status li[data-district="' + d.id + '"]');
        if (li) { li.style.setProperty("--c", d.colour); li.className = "lvl-" + d.status; li.querySelector(".chip").textContent = d.label; }
        if (d.lat === null || !districtLayer) { return; }
        window.L.circle([d.lat, d.lon], { radius: 2500, color: d.colour, weight: 2, fillOpacity: 0.15 })
          .bindTooltip(d.name + ": " + d.label + " (" + d.open + ")").addTo(districtLayer);
        bounds.push([d.lat, d.lon]);
      });
      if (!map._fitted && bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 }); map._fitted = true; }
    }).catch(function () { /* the list still updates; the map retries with the next event */ });
  }
  var layerTimer = null;
  function loadLayerSoon() { if (layerTimer) { return; } layerTimer = window.setTimeout(function () { layerTimer = null; loadLayer(); }, 2000); }
  if (mapEl && window.L) {
    map = window.L.map(mapEl, { preferCanvas: true }).setView([-6.6, 110.7], 10);
    var tiles = document.body.dataset.tiles;
    if (tiles) { window.L.tileLayer(tiles, { maxZoom: 18 }).addTo(map); }
    districtLayer = window.L.layerGroup().addTo(map);
    loadLayer();
  }

  /* --- the stream --- */
  var source = new EventSource(table.dataset.stream);
  var dropped = false;
  source.addEventListener("hello", function () {
    if (state) { state.textContent = "langsung"; state.classList.add("live"); }
    if (dropped) { window.location.reload(); }  /* events may have been missed while away: reload the list */
  });
  source.addEventListener("report", function (e) {
    var ev = JSON.parse(e.data);
    upsert(ev);
    marker(ev.id, ev.severity, ev.lat, ev.lon, ev.title);
    loadLayerSoon();
  });
  source.addEventListener("reset", function () { window.location.reload(); });
  source.onerror = function () { dropped = true; if (state) { state.textContent = "terputus — menyambung ulang…"; state.classList.remove("live"); } };
})();
