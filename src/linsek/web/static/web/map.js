/* linsek map: TPS points or per-area aggregates on a canvas, over region outlines or centroids.
 *
 * No inline script: the page passes its settings as JSON script tags (#map-config, #map-labels).
 * Everything is drawn on one canvas renderer (thousands of circle markers stay fast). No tile layer
 * unless the deployment configures one: the map works offline on a plain background.
 *
 * When drawing is done the map element carries data-state="ready" and data-drawn=<number of TPS or
 * areas drawn>, and #map-summary says the same in words (an aria-live region) — for people using a
 * screen reader and for the browser tests alike.
 *
 * Posts mode (a deployment plan: config.posts is its posts layer): each guard post is a ring coloured by
 * its status, with a line to each of its TPS; a click opens its TPS and its named team (police, TNI,
 * Linmas). config.post names a post to open on load (the plan page's "lihat di peta" links). The map
 * element then also carries data-posts=<number of posts drawn>.
 */
(function () {
  "use strict";

  var OUTLINE = { color: "#7d8aa0", weight: 1, fillColor: "#f7f5ee", fillOpacity: 1 };
  var OUTLINE_HIGHLIGHT = { color: "#13294b", weight: 2.5, fillColor: "#fdf8e8", fillOpacity: 1 };
  var CENTROID = { radius: 5, color: "#13294b", weight: 2, fillColor: "#ffffff", fillOpacity: 1 };
  var AREA = { color: "#13294b", weight: 1, fillColor: "#1d5fa8", fillOpacity: 0.35 };
  var FALLBACK_COLOUR = "#5b6678";
  var LABELS_MAX = 40; // permanent labels beyond this many centroids would bury the map

  /* Points grow as one zooms in: a regency of 3,490 TPS stays legible, a village's few stay visible. */
  function pointRadius(zoom) {
    if (zoom < 10) return 2.5;
    if (zoom < 11) return 3.5;
    if (zoom < 13) return 5;
    return 7;
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function format(template, n) {
    return template.replace("{n}", n);
  }

  function numberFormat() {
    var lang = document.documentElement.lang || "id";
    try {
      return new Intl.NumberFormat(lang);
    } catch (e) {
      return new Intl.NumberFormat();
    }
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        return r.json().then(
          function (body) { throw new Error(body.message || r.statusText); },
          function () { throw new Error(r.statusText); }
        );
      }
      return r.json();
    });
  }

  /* Rows are arrays; `fields` names their columns. Turn them into objects once. */
  function records(layer) {
    var fields = layer.fields;
    return layer.rows.map(function (row) {
      var item = {};
      for (var i = 0; i < fields.length; i++) item[fields[i]] = row[i];
      return item;
    });
  }

  /* The colour of a TPS comes from its status, looked up in the layer's own legend (statuses). */
  function statusStyle(statuses, index) {
    var s = statuses && statuses[index];
    return s || { code: "unknown", label: "?", colour: FALLBACK_COLOUR };
  }

  function LinsekMap(element, config, labels) {
    this.el = element;
    this.config = config;
    this.labels = labels;
    this.nf = numberFormat();
    this.summary = document.getElementById("map-summary");
    this.legend = document.getElementById("map-legend");
    this.renderer = L.canvas({ padding: 0.3 });
    this.map = L.map(element, {
      preferCanvas: true,
      renderer: this.renderer,
      zoomControl: true,
      attributionControl: Boolean(config.tiles),
      minZoom: 3,
      maxZoom: 18,
      zoomSnap: 0.25,
      zoomDelta: 0.5,
    });
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.tilesAttribution || "" }).addTo(this.map);
    }
    this.bounds = L.latLngBounds([]);
    this.legendItems = [];
    this.children = []; // {code, name} of the areas below this region, for the zoom selector
    this.points = [];
    this.map.setView([-2.5, 118], 5); // Indonesia, until the data says where to look
  }

  LinsekMap.prototype.say = function (text) {
    if (this.summary) this.summary.textContent = text;
  };

  LinsekMap.prototype.addLegend = function (className, label, colour) {
    this.legendItems.push({ className: className, label: label, colour: colour });
  };

  LinsekMap.prototype.renderLegend = function () {
    if (!this.legend) return;
    this.legend.textContent = "";
    this.legendItems.forEach(function (item) {
      var span = document.createElement("span");
      var swatch = document.createElement("span");
      swatch.className = "swatch " + item.className;
      if (item.colour) swatch.style.backgroundColor = item.colour;
      span.appendChild(swatch);
      span.appendChild(document.createTextNode(item.label));
      this.legend.appendChild(span);
    }, this);
  };

  LinsekMap.prototype.regionLink = function (code) {
    return this.config.regionPage.replace("__code__", encodeURIComponent(code));
  };

  LinsekMap.prototype.tpsLink = function (code) {
    return this.config.tpsPage.replace("__code__", encodeURIComponent(code));
  };

  /* Background: region outlines when boundaries are loaded; otherwise the children's centroids. */
  LinsekMap.prototype.drawBoundaries = function (collection) {
    var highlight = this.config.highlight;
    var self = this;
    var layer = L.geoJSON(collection, {
      renderer: this.renderer,
      style: function (feature) {
        var code = feature.properties.code;
        return highlight && highlight.indexOf(code) === 0 ? OUTLINE_HIGHLIGHT : OUTLINE;
      },
      onEachFeature: function (feature, lyr) {
        lyr.bindTooltip(escapeHtml(feature.properties.name), { sticky: true });
        lyr.on("dblclick", function () { window.location.href = self.regionLink(feature.properties.code); });
      },
    }).addTo(this.map);
    collection.features.forEach(function (f) { self.children.push({ code: f.properties.code, name: f.properties.name }); });
    if (collection.features.length) {
      this.bounds.extend(layer.getBounds());
      this.addLegend("outline", this.labels.boundary);
    }
    return collection.features.length;
  };

  LinsekMap.prototype.drawCentroids = function (layer) {
    var items = records(layer).filter(function (a) { return a.lat !== null && a.lon !== null; });
    var permanent = items.length <= LABELS_MAX;
    var self = this;
    var labelled = [];
    items.forEach(function (a) {
      self.children.push({ code: a.code, name: a.name });
      var m = L.circleMarker([a.lat, a.lon], Object.assign({ renderer: self.renderer, interactive: true }, CENTROID));
      m.bindTooltip(escapeHtml(a.name), { permanent: permanent, direction: "right", className: "map-label", offset: [6, 0] });
      m.on("click", function () { window.location.href = self.regionLink(a.code); });
      m.addTo(self.map);
      labelled.push({ marker: m, weight: a.tps });
      self.bounds.extend([a.lat, a.lon]);
    });
    if (permanent) {
      // The biggest areas keep their label; a label that would overlap one already shown is hidden.
      labelled.sort(function (x, y) { return y.weight - x.weight; });
      this.map.on("zoomend moveend", function () { declutter(labelled); });
    }
    if (items.length) this.addLegend("centroid", this.labels.centroid);
  };

  function declutter(labelled) {
    var shown = [];
    labelled.forEach(function (item) {
      var el = item.marker.getTooltip() && item.marker.getTooltip().getElement();
      if (!el) return;
      el.classList.remove("is-hidden");
      var r = el.getBoundingClientRect();
      var box = { l: r.left - 2, t: r.top - 1, r: r.right + 2, b: r.bottom + 1 };
      var clash = shown.some(function (o) { return box.l < o.r && box.r > o.l && box.t < o.b && box.b > o.t; });
      if (clash) el.classList.add("is-hidden");
      else shown.push(box);
    });
  }

  LinsekMap.prototype.drawPoints = function (layer) {
    var self = this;
    var statuses = layer.statuses || [];
    var items = records(layer);
    var group = L.featureGroup();
    var highlight = this.config.highlight;
    var selectedMarker = null;
    items.forEach(function (t) {
      var style = statusStyle(statuses, t.status);
      var selected = highlight === t.code;
      var marker = L.circleMarker([t.lat, t.lon], {
        renderer: self.renderer,
        radius: selected ? 10 : 5,
        weight: selected ? 3 : 0.75,
        color: selected ? "#c8a24a" : "#ffffff",
        fillColor: style.colour,
        fillOpacity: 0.9,
      });
      marker.feature = t;
      self.points.push(marker);
      if (selected) selectedMarker = marker;
      group.addLayer(marker);
    });
    this.map.on("zoomend", function () {
      var radius = pointRadius(self.map.getZoom());
      group.eachLayer(function (m) { if (m !== selectedMarker) m.setRadius(radius); });
    });
    group.on("click", function (event) {
      var t = event.layer.feature;
      var html =
        '<div class="map-popup"><h3>' + escapeHtml(self.labels.tps + " " + t.code.slice(-3)) + "</h3>" +
        "<p><code>" + escapeHtml(t.code) + "</code></p>" +
        "<p>" + escapeHtml(self.labels.voters) + ": " + self.nf.format(t.voters) + "</p>" +
        '<p><a href="' + self.tpsLink(t.code) + '">' + escapeHtml(self.labels.openTps) + "</a></p></div>";
      L.popup().setLatLng(event.latlng).setContent(html).openOn(self.map);
    });
    group.addTo(this.map);
    if (selectedMarker) selectedMarker.bringToFront();
    if (items.length) this.bounds.extend(group.getBounds());
    statuses.forEach(function (s, i) { self.addLegend("s-" + i, s.label, s.colour); });
    var text = format(this.labels.drawnPoints, this.nf.format(items.length));
    if (layer.missing_coordinates) text += " " + format(this.labels.noCoordinates, this.nf.format(layer.missing_coordinates));
    return { count: items.length, text: text };
  };

  var POST_COLOURS = { covered: "#2f8f46", partial: "#e0a000", uncovered: "#c62828" };

  LinsekMap.prototype.drawPosts = function (layer) {
    var self = this;
    var labels = this.config.postLabels || {};
    var posts = (layer.posts || []).filter(function (p) { return p.lat !== null && p.lon !== null; });
    var lines = L.featureGroup();
    var rings = L.featureGroup();
    this.postMarkers = {};
    posts.forEach(function (p) {
      var colour = POST_COLOURS[p.status] || FALLBACK_COLOUR;
      (p.tps_points || []).forEach(function (point) {
        if (!point) return;
        lines.addLayer(L.polyline([[p.lat, p.lon], point], {
          renderer: self.renderer, color: colour, weight: 1.5, opacity: 0.75, interactive: false,
        }));
      });
      var ring = L.circleMarker([p.lat, p.lon], {
        renderer: self.renderer, radius: 7, weight: 3, color: colour, fillColor: "#ffffff", fillOpacity: 1,
      });
      ring.feature = p;
      rings.addLayer(ring);
      self.postMarkers[p.key] = ring;
    });
    rings.on("click", function (event) { self.openPost(event.layer); });
    lines.addTo(this.map);
    rings.addTo(this.map);
    if (posts.length) this.bounds.extend(rings.getBounds());
    this.addLegend("post", labels.post || "Pos");
    this.el.setAttribute("data-posts", String(posts.length));
    return { count: posts.length, text: format(labels.drawnPosts || "{n} pos.", this.nf.format(posts.length)) };
  };

  LinsekMap.prototype.postPopup = function (p) {
    var labels = this.config.postLabels || {};
    var guards = (p.members || []).filter(function (m) { return m.sector !== "linmas"; });
    var linmas = (p.members || []).filter(function (m) { return m.sector === "linmas"; });
    var person = function (m) {
      return "<li>" + escapeHtml((m.rank ? m.rank + " " : "") + m.name) +
        (m.unit ? ' <span class="muted">(' + escapeHtml(m.unit) + ")</span>" : "") + "</li>";
    };
    return '<div class="map-popup post-popup" data-post="' + escapeHtml(p.key) + '">' +
      "<h3>" + escapeHtml((labels.post || "Pos") + " " + p.number) + ' <span class="cat cat-' + escapeHtml(p.category) +
      '">' + escapeHtml(p.category) + "</span></h3>" +
      "<p><strong>" + escapeHtml(labels.tps || "TPS") + "</strong> (" + p.tps.length + "): " +
      p.tps.map(function (c) { return "<code>" + escapeHtml(c) + "</code>"; }).join(", ") + "</p>" +
      "<p><strong>" + escapeHtml(labels.team || "Tim") + "</strong> (" + guards.length + "/" + p.police_needed + ")</p>" +
      (guards.length ? "<ul>" + guards.map(person).join("") + "</ul>" : "<p>" + escapeHtml(labels.noTeam || "—") + "</p>") +
      "<p><strong>" + escapeHtml(labels.linmas || "Linmas") + "</strong> (" + linmas.length + "/" + (p.linmas_needed || 0) + ")</p>" +
      (linmas.length ? "<ul class=\"post-linmas\">" + linmas.map(person).join("") + "</ul>" : "") +
      "</div>";
  };

  LinsekMap.prototype.openPost = function (ring) {
    L.popup({ maxHeight: 320, minWidth: 220 }).setLatLng(ring.getLatLng()).setContent(this.postPopup(ring.feature)).openOn(this.map);
  };

  LinsekMap.prototype.focusPost = function (key) {
    var ring = this.postMarkers && this.postMarkers[key];
    if (!ring) return;
    this.map.setView(ring.getLatLng(), Math.max(this.map.getZoom(), 14));
    this.openPost(ring);
  };

  LinsekMap.prototype.drawAreas = function (layer) {
    var self = this;
    var items = records(layer).filter(function (a) { return a.lat !== null && a.lon !== null; });
    var largest = items.reduce(function (max, a) { return Math.max(max, a.tps); }, 1);
    var group = L.featureGroup();
    items.forEach(function (a) {
      var radius = 4 + 22 * Math.sqrt(a.tps / largest);
      var marker = L.circleMarker([a.lat, a.lon], Object.assign({ renderer: self.renderer, radius: radius }, AREA));
      marker.feature = a;
      group.addLayer(marker);
    });
    group.on("click", function (event) {
      var a = event.layer.feature;
      var html =
        '<div class="map-popup"><h3>' + escapeHtml(a.name) + "</h3>" +
        "<p>" + escapeHtml(self.labels.tps) + ": " + self.nf.format(a.tps) + " · " +
        escapeHtml(self.labels.voters) + ": " + self.nf.format(a.voters) + "</p>" +
        '<p><a href="' + self.regionLink(a.code) + '">' + escapeHtml(self.labels.openRegion) + "</a></p></div>";
      L.popup().setLatLng(event.latlng).setContent(html).openOn(self.map);
    });
    group.addTo(this.map);
    if (items.length) this.bounds.extend(group.getBounds());
    this.addLegend("area", this.labels.area);
    return { count: items.length, text: format(this.labels.drawnAreas, this.nf.format(items.length)) };
  };

  /* "Zoom to": a select of the areas below this region (a regency spans islands 80 km offshore, so
   * the whole-region view makes the mainland small on a wall screen). */
  LinsekMap.prototype.addZoomSelect = function () {
    var self = this;
    var holder = document.getElementById("map-tools");
    if (!holder || this.children.length < 2 || !this.points.length) return;
    var label = document.createElement("label");
    label.setAttribute("for", "map-zoom");
    label.textContent = this.labels.zoomTo;
    var select = document.createElement("select");
    select.id = "map-zoom";
    var all = document.createElement("option");
    all.value = "";
    all.textContent = this.labels.wholeArea;
    select.appendChild(all);
    this.children.forEach(function (c) {
      var option = document.createElement("option");
      option.value = c.code;
      option.textContent = c.name;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      var code = select.value;
      var bounds = L.latLngBounds([]);
      if (!code) {
        bounds = self.bounds;
      } else {
        self.points.forEach(function (m) {
          if (m.feature.code.indexOf(code + ".") === 0) bounds.extend(m.getLatLng());
        });
      }
      if (bounds.isValid()) self.map.fitBounds(bounds.pad(0.05), { maxZoom: 16 });
    });
    holder.appendChild(label);
    holder.appendChild(select);
  };

  LinsekMap.prototype.fit = function () {
    var marker = this.config.marker;
    this.map.invalidateSize(false); // the page may have reflowed since the map was created
    if (marker) {
      this.map.setView([marker.lat, marker.lon], 15);
    } else if (this.bounds.isValid()) {
      this.map.fitBounds(this.bounds.pad(0.03), { maxZoom: 16 });
    }
    this.map.fire("zoomend");
  };

  LinsekMap.prototype.load = function () {
    var self = this;
    var config = this.config;
    var drawn = { count: 0, text: "" };
    var posts = null;
    var background = config.boundaries ? getJson(config.boundaries) : Promise.resolve(null);
    return background
      .then(function (collection) {
        var outlines = collection ? self.drawBoundaries(collection) : 0;
        if (!outlines && config.background) {
          return getJson(config.background).then(function (layer) { self.drawCentroids(layer); });
        }
        return null;
      })
      .then(function () {
        if (config.points) return getJson(config.points).then(function (layer) { drawn = self.drawPoints(layer); });
        if (config.areas) return getJson(config.areas).then(function (layer) { drawn = self.drawAreas(layer); });
        return null;
      })
      .then(function () {
        if (config.posts) return getJson(config.posts).then(function (layer) { posts = self.drawPosts(layer); });
        return null;
      })
      .then(function () {
        self.fit();
        if (posts && config.post) self.focusPost(config.post);
        self.renderLegend();
        self.addZoomSelect();
        self.el.setAttribute("data-drawn", String(drawn.count));
        self.el.setAttribute("data-state", "ready");
        self.say(posts ? drawn.text + " " + posts.text : drawn.text);
      })
      .catch(function (error) {
        self.el.setAttribute("data-state", "error");
        self.say(self.labels.failed + " (" + error.message + ")");
      });
  };

  function start() {
    var element = document.getElementById("map");
    var config = readJson("map-config");
    var labels = readJson("map-labels");
    if (!element || !config || !labels || typeof L === "undefined") return;
    var map = new LinsekMap(element, config, labels);
    element.linsekMap = map;
    map.load();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
