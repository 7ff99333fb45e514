/* projectmap: what the map page does (popups, panel, legend, layers, search, datum).
 *
 * Every string that comes from a report reaches the page as JSON data and is
 * written with textContent, never innerHTML. innerHTML is used only for the
 * category icons, SVG built from projectmap's own constants (validated colours
 * and fixed path data); layer names pass through esc() because Leaflet's layer
 * control writes them as HTML.
 *
 * data = {
 *   report: {title, issuer, level, date, source},      level: 区, 县, 市, 省 …
 *   categories: [{id, label, color, icon, layer, count, mapped,
 *                 areas: [{ids, geometry | null (the region), anchor: [lat, lng], slot, of, level}]}],
 *   projects: {id: {name, category, status, amount, section, segments: [[text, isPlace], ...],
 *                   precision, mapped, level,
 *                   places: [{mention, name, id, type, precision, reason, explanation}]}},
 *   order: [project id, ...],
 *   unresolved: [{mention, count, reason}],
 *   search: [{kind: "project", label, ref} | {kind: "place", label, name, type, precision,
 *             ids, latlng, bounds?}],
 *   basemaps: [{id, label, datum, shown, tiles: [{url, attribution, subdomains}]}],
 *   bounds: [[south, west], [north, east]] | null      the view to fit (WGS-84)
 * }
 *
 * Everything on the page is WGS-84 until AMap tiles are shown: then every drawn
 * layer is moved to GCJ-02, and back when another base layer is chosen.
 */
function projectmapApp(map, data) {
  "use strict";
  var categories = {};
  var pins = {};
  var shapes = {};
  var areas = {};
  var groups = {};
  var bases = {};
  var region = null;
  var panel = null;
  var foldPanel = null;
  var legend = null;
  var layers = null;
  var notice = null;
  var datum = "wgs84";
  var current = null;
  var narrow = window.matchMedia("(max-width: 600px)").matches;
  var FULLSCREEN_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" ' +
    'viewBox="0 0 16 16" aria-hidden="true"><path fill="none" stroke="#333" stroke-width="2" ' +
    'd="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5"/></svg>';

  data.categories.forEach(function (c) { categories[c.id] = c; });

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined && content !== null) { node.textContent = String(content); }
    return node;
  }

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function remember(registry, id, layer) {
    (registry[id] = registry[id] || []).push(layer);
  }

  /* --- datum: WGS-84 to GCJ-02 (the published GCJ-02 formula, as prcoords, CC0) --- */

  function gcj(lat, lng) {
    if (lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271) { return [lat, lng]; }
    var x = lng - 105, y = lat - 35, pi = Math.PI, a = 6378245, ee = 0.00669342162296594323;
    var common = 2 * Math.sin(6 * pi * x) + 2 * Math.sin(2 * pi * x);
    var dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (common + 2 * Math.sin(pi * y) + 4 * Math.sin(pi * y / 3) + 16 * Math.sin(pi * y / 12) +
       32 * Math.sin(pi * y / 30)) * 20 / 3;
    var dLng = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (common + 2 * Math.sin(pi * x) + 4 * Math.sin(pi * x / 3) + 15 * Math.sin(pi * x / 12) +
       30 * Math.sin(pi * x / 30)) * 20 / 3;
    var rad = lat * pi / 180, magic = 1 - ee * Math.sin(rad) * Math.sin(rad);
    var latDegree = (a * (1 - ee)) / Math.pow(magic, 1.5) * pi / 180;
    var lngDegree = a * Math.cos(rad) / Math.sqrt(magic) * pi / 180;
    return [lat + dLat / latDegree, lng + dLng / lngDegree];
  }

  function shown(latlng) {
    var ll = L.latLng(latlng);
    return datum === "gcj02" ? L.latLng(gcj(ll.lat, ll.lng)) : L.latLng(ll.lat, ll.lng);
  }

  function shownAll(latlngs) {
    return Array.isArray(latlngs) ? latlngs.map(shownAll) : shown(latlngs);
  }

  function copyAll(latlngs) {
    return Array.isArray(latlngs) ? latlngs.map(copyAll) : L.latLng(latlngs.lat, latlngs.lng);
  }

  function move(layer) {
    if (L.MarkerClusterGroup && layer instanceof L.MarkerClusterGroup) {
      var markers = layer.getLayers();
      layer.clearLayers();
      markers.forEach(move);
      layer.addLayers(markers);
    } else if (layer instanceof L.LayerGroup) {
      layer.eachLayer(move);
    } else if (layer.getLatLng) {
      layer._pmWgs = layer._pmWgs || copyAll(layer.getLatLng());
      layer.setLatLng(shown(layer._pmWgs));
    } else if (layer.getLatLngs) {
      layer._pmWgs = layer._pmWgs || copyAll(layer.getLatLngs());
      layer.setLatLngs(shownAll(layer._pmWgs));
    }
  }

  function setDatum(next) {
    if (next === datum) { return; }
    datum = next;
    map.closePopup();
    if (region) { move(region); }
    Object.keys(groups).forEach(function (id) { move(groups[id].group); });
  }

  /* --- icons ---------------------------------------------------------------------- */

  function iconSvg(categoryId, exact, size) {
    var c = categories[categoryId] || {color: "#636363", icon: ""};
    var ring = exact ? "#ffffff" : c.color;
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + size + '" height="' + size +
      '" viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="10.5" fill="' +
      (exact ? c.color : "#ffffff") + '" stroke="' + ring + '" stroke-width="2"' +
      (exact ? "" : ' stroke-dasharray="3.3 2"') + '/><path transform="translate(6 6) scale(0.5)"' +
      ' fill="' + (exact ? "#ffffff" : c.color) + '" d="' + c.icon + '"/></svg>';
  }

  function iconSpan(categoryId, exact, size) {
    var span = el("span", "pm-icon");
    span.innerHTML = iconSvg(categoryId, exact, size);
    return span;
  }

  function pinIcon(p) {
    var half = 12, dx = p.dx || 0, dy = p.dy || 0;
    return L.divIcon({
      html: iconSvg(p.category, p.precision === 1, 2 * half),
      className: "pm-pin pm-cat-" + p.category + (p.precision === 1 ? " pm-exact" : " pm-area"),
      iconSize: [2 * half, 2 * half],
      iconAnchor: [half - dx, half - dy],
      tooltipAnchor: [half, 0]
    });
  }

  function clusterIcon(cluster, categoryId) {
    var c = categories[categoryId];
    var first = cluster.getAllChildMarkers()[0];
    var p = first && first.feature ? first.feature.properties : {};
    var badge = el("div", null, cluster.getChildCount());
    badge.style.background = c ? c.color : "#636363";
    return L.divIcon({
      html: badge,
      className: "pm-cluster pm-cat-" + categoryId,
      iconSize: [30, 30],
      iconAnchor: [15 - (p.dx || 0), 15 - (p.dy || 0)]
    });
  }

  function badgeIcon(c, area) {
    var box = el("div", "pm-badge-box");
    box.style.borderColor = c.color;
    box.appendChild(iconSpan(c.id, false, 14));
    box.appendChild(el("span", null, "全" + area.level + " " + area.ids.length));
    var perRow = Math.min(area.of || 1, 4);
    var dx = (area.slot % 4 - (perRow - 1) / 2) * 64, dy = Math.floor(area.slot / 4) * 26;
    return L.divIcon({
      html: box, className: "pm-badge-marker pm-cat-" + c.id,
      iconSize: [60, 22], iconAnchor: [30 - dx, 11 - dy]
    });
  }

  /* --- popups --------------------------------------------------------------------- */

  function fact(list, term, value) {
    if (value === undefined || value === null || value === "") { return; }
    list.appendChild(el("dt", null, term));
    list.appendChild(el("dd", null, value));
  }

  function sentence(segments) {
    var quote = el("blockquote", "pm-sentence");
    segments.forEach(function (s) {
      quote.appendChild(s[1] ? el("mark", null, s[0]) : document.createTextNode(s[0]));
    });
    return quote;
  }

  function placeItem(place) {
    var item = el("li", "pm-place");
    item.appendChild(el("strong", null, place.mention));
    item.appendChild(document.createTextNode(
      place.id ? " → " + (place.name || "") + "（" + place.id + "）" : " → 未解析"));
    var how = [place.type, place.precision, place.reason].filter(Boolean).join(" · ");
    item.appendChild(el("small", null, how));
    if (place.explanation) { item.title = place.explanation; }
    return item;
  }

  function card(id) {
    var p = data.projects[id];
    var c = categories[p.category];
    var box = el("article", "pm-card");
    box.appendChild(el("h3", "pm-card-title", p.name));
    box.appendChild(el("span", "pm-chip", c.label)).style.background = c.color;
    var facts = box.appendChild(el("dl", "pm-facts"));
    fact(facts, "状态", p.status);
    fact(facts, "金额/规模", p.amount);
    fact(facts, "章节", p.section);
    fact(facts, "定位", p.precision);
    box.appendChild(sentence(p.segments));
    if (p.places.length) {
      var list = box.appendChild(el("ul", "pm-places"));
      p.places.forEach(function (place) { list.appendChild(placeItem(place)); });
    }
    return box;
  }

  /* Room the popup keeps free: right of the open panel, below the layer control, clear of
   the open legend. */
  function room() {
    var size = map.getSize(), frame = map.getContainer().getBoundingClientRect();
    var left = 20, top = 20;
    if (panel && !panel.classList.contains("pm-collapsed")) {
      var r = panel.getBoundingClientRect();
      if (r.right - frame.left < size.x / 2) { left = r.right - frame.left + 12; }
    }
    if (layers) { top = Math.max(top, layers.getContainer().getBoundingClientRect().bottom - frame.top + 12); }
    var width = Math.max(200, Math.min(360, size.x - left - 40));
    var bottomRight = [20, 20];
    if (legend && !legend.classList.contains("pm-collapsed")) {
      var g = legend.getBoundingClientRect();
      bottomRight = size.x - left - g.width - 40 >= width ? [g.width + 20, 20] : [20, g.height + 20];
    }
    return {
      topLeft: [left, top], bottomRight: bottomRight, width: width,
      height: Math.max(160, Math.min(340, size.y - top - 70))
    };
  }

  function openPopup(content, latlng, offset, className) {
    var r = room();
    L.popup({
      maxWidth: r.width, minWidth: Math.min(240, r.width), maxHeight: r.height,
      offset: offset || [0, 0], autoPanPaddingTopLeft: r.topLeft,
      autoPanPaddingBottomRight: r.bottomRight,
      className: className
    }).setLatLng(latlng).setContent(content).openOn(map);
  }

  function openCards(ids, latlng, offset) {
    var box = el("div", "pm-popup");
    ids.forEach(function (id) { box.appendChild(card(id)); });
    openPopup(box, latlng, offset, "pm-project-popup");
  }

  function tooltipFor(ids) {
    var label = data.projects[ids[0]].name;
    return el("span", "pm-tip", ids.length > 1 ? label + " 等 " + ids.length + " 个项目" : label);
  }

  function bind(feature, layer) {
    var p = feature.properties || {};
    var ids;
    if (p.kind === "pin") {
      layer.setIcon(pinIcon(p));
      remember(pins, p.id, layer);
      ids = [p.id];
    } else if (p.kind === "shape") {
      ids = p.ids;
      ids.forEach(function (id) { remember(shapes, id, layer); });
    } else {
      return;
    }
    layer.bindTooltip(tooltipFor(ids), {sticky: p.kind === "shape", direction: "auto"});
    layer.on("click", function (e) {
      if (p.kind === "pin") { openCards(ids, layer.getLatLng(), [0, -12]); } else { openCards(ids, e.latlng); }
    });
  }

  /* --- areas of projects placed only to an admin unit ----------------------------- */

  function addAreas(c, outline) {
    var g = groups[c.id];
    c.areas.forEach(function (area) {
      var geometry = area.geometry || outline;
      if (!g || !geometry) { return; }
      var shape = L.geoJSON(geometry, {
        pane: "pm-areas", interactive: false,
        style: {color: c.color, weight: 1.5, opacity: 0.7, dashArray: "2 6", fill: true,
                fillColor: c.color, fillOpacity: 0.025, className: "pm-area pm-cat-" + c.id}
      });
      var badge = L.marker(area.anchor, {icon: badgeIcon(c, area), pane: "pm-badges"});
      badge.bindTooltip(el("span", "pm-tip", c.label + "：" + area.ids.length +
        " 个项目仅定位到" + area.level), {direction: "top"});
      badge.on("click", function () { openCards(area.ids, badge.getLatLng(), [0, -10]); });
      g.group.addLayer(shape);
      g.group.addLayer(badge);
      area.ids.forEach(function (id) { areas[id] = {shape: shape, badge: badge}; });
    });
  }

  /* --- moving to a project or a place --------------------------------------------- */

  function showGroup(categoryId) {
    var g = groups[categoryId];
    if (g && !map.hasLayer(g.group)) { map.addLayer(g.group); }
    return g;
  }

  function fitTo(bounds) {
    map.fitBounds(bounds, {maxZoom: 16, paddingTopLeft: [room().topLeft[0], 20],
                           paddingBottomRight: [20, 20], animate: false});
  }

  function focusProject(id) {
    var p = data.projects[id];
    if (!p) { return; }
    if (narrow && foldPanel) { foldPanel(true); }
    var g = showGroup(p.category);
    var pin = (pins[id] || [])[0];
    var shape = (shapes[id] || [])[0];
    var area = areas[id];
    if (pin && g && g.cluster) {
      g.cluster.zoomToShowLayer(pin, function () { openCards([id], pin.getLatLng(), [0, -12]); });
    } else if (shape) {
      fitTo(shape.getBounds());
      openCards([id], shape.getBounds().getCenter());
    } else if (area) {
      fitTo(area.shape.getBounds());
      openCards([id], area.badge.getLatLng(), [0, -10]);
    } else {
      openCards([id], map.getCenter());
    }
  }

  function placeCard(p) {
    var box = el("article", "pm-card");
    box.appendChild(el("h3", "pm-card-title", p.label));
    var facts = box.appendChild(el("dl", "pm-facts"));
    fact(facts, "地名", p.name);
    fact(facts, "类型", p.type);
    fact(facts, "定位", p.precision);
    var list = box.appendChild(el("ul", "pm-list"));
    (p.ids || []).forEach(function (id) {
      if (data.projects[id]) { list.appendChild(projectButton(id, true)); }
    });
    return box;
  }

  function focusPlace(p) {
    var latlng = shown(p.latlng);
    if (narrow && foldPanel) { foldPanel(true); }
    if (p.bounds) {
      fitTo(L.latLngBounds(shown(p.bounds[0]), shown(p.bounds[1])));
    } else {
      map.setView(latlng, Math.max(map.getZoom(), 15), {animate: false});
    }
    openPopup(placeCard(p), latlng, [0, 0], "pm-place-popup");
  }

  /* --- side panel ----------------------------------------------------------------- */

  function projectButton(id, withChip) {
    var p = data.projects[id];
    var item = el("li", p.mapped ? "pm-item" : "pm-item pm-unmapped");
    item.setAttribute("data-category", p.category);
    var button = item.appendChild(el("button", "pm-link"));
    button.type = "button";
    if (withChip) { button.appendChild(iconSpan(p.category, true, 14)); }
    button.appendChild(el("span", null, p.name));
    if (!p.mapped) { button.appendChild(el("small", "pm-badge", p.level)); }
    L.DomEvent.on(button, "click", function () { focusProject(id); });
    return item;
  }

  function section(title, count) {
    var box = el("section", "pm-section");
    var head = box.appendChild(el("h2", null, title));
    if (count !== undefined) { head.appendChild(el("span", "pm-count", " (" + count + ")")); }
    return box;
  }

  function categorySection(c) {
    var box = el("section", "pm-section");
    var head = box.appendChild(el("h2", "pm-cat-head"));
    head.appendChild(iconSpan(c.id, true, 16));
    head.appendChild(el("span", null, " " + c.layer));
    var list = box.appendChild(el("ul", "pm-list"));
    data.order.forEach(function (id) {
      if (data.projects[id].category === c.id) { list.appendChild(projectButton(id, false)); }
    });
    box.setAttribute("data-category", c.id);
    return box;
  }

  function districtSection() {
    var ids = data.order.filter(function (id) { return !data.projects[id].mapped; });
    var box = section("仅定位到" + data.report.level + "一级（不标点）", ids.length);
    box.classList.add("pm-district");
    var list = box.appendChild(el("ul", "pm-list"));
    ids.forEach(function (id) { list.appendChild(projectButton(id, true)); });
    if (!ids.length) { box.appendChild(el("p", "pm-note", "无")); }
    return box;
  }

  function unresolvedSection() {
    var box = section("未解析的地名 · unresolved place names", data.unresolved.length);
    box.classList.add("pm-unresolved");
    var list = box.appendChild(el("ul", "pm-chips"));
    data.unresolved.forEach(function (u) {
      var chip = list.appendChild(el("li", "pm-name", u.mention));
      if (u.count > 1) { chip.appendChild(el("small", null, " ×" + u.count)); }
      if (u.reason) { chip.title = u.reason; }
    });
    if (!data.unresolved.length) { box.appendChild(el("p", "pm-note", "无")); }
    return box;
  }

  function searchTips(tips, query) {
    tips.textContent = "";
    if (!query) { return; }
    var hits = data.search.filter(function (r) { return r.label.indexOf(query) >= 0; });
    if (!hits.length) { tips.appendChild(el("li", "pm-note", "没有找到")); }
    hits.slice(0, 40).forEach(function (r) {
      var tip = tips.appendChild(el("li", "search-tip", r.label));
      tip.appendChild(el("small", "pm-tip-kind", r.kind === "place" ? "地名" : "项目"));
      tip.tabIndex = 0;
      L.DomEvent.on(tip, "click keydown", function (e) {
        if (e.type === "keydown" && e.key !== "Enter") { return; }
        if (r.kind === "project") { focusProject(r.ref); } else { focusPlace(r); }
      });
    });
  }

  function searchBox(parent) {
    var box = parent.appendChild(el("div", "pm-search"));
    var input = box.appendChild(el("input", "search-input"));
    input.type = "search";
    input.placeholder = "搜索项目或地名…";
    var tips = box.appendChild(el("ul", "search-tooltip"));
    L.DomEvent.on(input, "input", function () { searchTips(tips, input.value.trim()); });
  }

  function folding(root, toggle, folded, unfolded) {
    function set(collapsed) {
      root.classList.toggle("pm-collapsed", collapsed);
      toggle.textContent = collapsed ? folded : unfolded;
      toggle.title = collapsed ? "展开" : "收起";
      toggle.setAttribute("aria-expanded", String(!collapsed));
    }
    L.DomEvent.on(toggle, "click", function () { set(!root.classList.contains("pm-collapsed")); });
    set(narrow);
    return set;
  }

  function buildPanel() {
    var root = el("div", "pm-panel");
    var head = root.appendChild(el("header", "pm-head"));
    var toggle = head.appendChild(el("button", "pm-toggle"));
    toggle.type = "button";
    head.appendChild(el("h1", "pm-title", data.report.title));
    var facts = head.appendChild(el("dl", "pm-facts"));
    fact(facts, "发布", data.report.issuer);
    fact(facts, "日期", data.report.date);
    fact(facts, "来源", data.report.source);
    searchBox(head);
    var body = root.appendChild(el("div", "pm-body"));
    var mapped = data.order.filter(function (id) { return data.projects[id].mapped; }).length;
    body.appendChild(el("p", "pm-summary", data.order.length + " 个项目，" + mapped + " 个标点在图上"));
    data.categories.forEach(function (c) { body.appendChild(categorySection(c)); });
    body.appendChild(districtSection());
    body.appendChild(unresolvedSection());
    L.DomEvent.disableClickPropagation(root);
    L.DomEvent.disableScrollPropagation(root);
    panel = root;
    foldPanel = folding(root, toggle, "☰ 项目列表 (" + data.order.length + ")", "−");
    return root;
  }

  function showEntries(categoryId, visible) {
    if (!panel) { return; }
    panel.querySelectorAll("[data-category]").forEach(function (node) {
      if (node.getAttribute("data-category") === categoryId) { node.classList.toggle("pm-hidden", !visible); }
    });
  }

  /* --- legend, layer control, notice, fullscreen ---------------------------------- */

  function legendRow(box, icon, label) {
    var row = box.appendChild(el("div", "pm-legend-row"));
    row.appendChild(icon);
    row.appendChild(el("span", null, label));
  }

  function buildLegend() {
    var box = el("div", "pm-legend");
    var toggle = box.appendChild(el("button", "pm-toggle"));
    toggle.type = "button";
    box.appendChild(el("h2", null, "图例"));
    var rows = box.appendChild(el("div", "pm-legend-body"));
    data.categories.forEach(function (c) { legendRow(rows, iconSpan(c.id, true, 16), c.label); });
    legendRow(rows, iconSpan("", true, 16), "实心：精确位置 (exact site)");
    legendRow(rows, iconSpan("", false, 16), "空心：附近或片区 (in the area of)");
    legendRow(rows, el("span", "pm-swatch pm-swatch-area"), "虚线圈：片区范围，约 800 米");
    legendRow(rows, el("span", "pm-swatch pm-swatch-region"), data.report.issuer + " 边界");
    legendRow(rows, el("span", "pm-swatch pm-swatch-badge", "全" + data.report.level),
              "仅定位到" + data.report.level + "的项目数，点击查看");
    L.DomEvent.disableClickPropagation(box);
    legend = box;
    folding(box, toggle, "图例", "−");
    return box;
  }

  function control(position, build) {
    var Control = L.Control.extend({options: {position: position}, onAdd: build});
    return new Control();
  }

  function buildNotice() {
    notice = el("div", "pm-notice", "底图瓦片无法加载（离线或被屏蔽）；边界和全部项目照常显示。");
    notice.setAttribute("role", "status");
    notice.hidden = true;
    return notice;
  }

  function tileState(base, loaded) {
    base._pmLoaded = base._pmLoaded || loaded;
    base._pmFailed = base._pmFailed || !loaded;
    if (notice && base === current) { notice.hidden = !(base._pmFailed && !base._pmLoaded); }
  }

  function baseLayer(b) {
    var group = L.layerGroup();
    b.tiles.forEach(function (t) {
      var tiles = L.tileLayer(t.url, {attribution: t.attribution, subdomains: t.subdomains, maxZoom: 18});
      tiles.on("tileload", function () { tileState(group, true); });
      tiles.on("tileerror", function () { tileState(group, false); });
      group.addLayer(tiles);
    });
    group._pmDatum = b.datum;
    return group;
  }

  function buildLayers() {
    var baseNames = {}, overlays = {};
    data.basemaps.forEach(function (b) {
      bases[b.id] = baseLayer(b);
      baseNames[esc(b.label)] = bases[b.id];
      if (b.shown) { current = bases[b.id]; }
    });
    current = current || bases[data.basemaps[0].id];
    map.addLayer(current);
    if (region) { overlays[esc(data.report.issuer + " 边界")] = region; }
    data.categories.forEach(function (c) {
      if (groups[c.id]) { overlays[esc(c.layer)] = groups[c.id].group; }
    });
    layers = L.control.layers(baseNames, overlays, {collapsed: narrow, position: "topright"}).addTo(map);
    map.on("baselayerchange", function (e) {
      current = e.layer;
      notice.hidden = !(current._pmFailed && !current._pmLoaded);
      setDatum(current._pmDatum);
    });
    map.on("overlayadd overlayremove", function (e) {
      var id = e.layer._pmCategory;
      if (id) { showEntries(id, e.type === "overlayadd"); }
      if (id && e.type === "overlayremove") { map.closePopup(); }
    });
  }

  function buildFullscreen() {
    var bar = el("div", "leaflet-bar pm-fullscreen");
    var button = bar.appendChild(el("a"));
    button.innerHTML = FULLSCREEN_SVG;
    button.href = "#";
    button.title = "全屏";
    button.setAttribute("role", "button");
    var page = map.getContainer();
    L.DomEvent.on(button, "click", function (e) {
      L.DomEvent.preventDefault(e);
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else if (page.requestFullscreen) {
        page.requestFullscreen();
      } else {
        page.classList.toggle("pm-fullscreen-on");
        map.invalidateSize();
      }
    });
    L.DomEvent.disableClickPropagation(bar);
    document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
    return bar;
  }

  function finish(layerGroups, regionLayer) {
    groups = layerGroups;
    region = regionLayer;
    map.createPane("pm-areas").style.zIndex = 350;
    map.createPane("pm-badges").style.zIndex = 620;
    var outline = region ? region.toGeoJSON() : null;
    data.categories.forEach(function (c) {
      if (groups[c.id]) { groups[c.id].group._pmCategory = c.id; }
      addAreas(c, outline);
    });
    control("topleft", buildFullscreen).addTo(map);
    control("topleft", buildPanel).addTo(map);
    control("bottomright", buildLegend).addTo(map);
    control("bottomleft", buildNotice).addTo(map);
    buildLayers();
    setDatum(current._pmDatum);
    if (data.bounds) {
      map.fitBounds(data.bounds, {paddingTopLeft: narrow ? [8, 8] : [room().topLeft[0], 20],
                                  paddingBottomRight: [20, 20], animate: false});
    }
  }

  return {
    bind: bind,
    clusterIcon: clusterIcon,
    finish: finish,
    focusProject: focusProject,
    gcj: gcj
  };
}
