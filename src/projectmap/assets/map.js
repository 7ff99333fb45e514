/* projectmap: what the map page does (popups, side panel, legend, search glue).
 *
 * Every string that comes from a report reaches the page as JSON data and is
 * written with textContent, never innerHTML. innerHTML is used only for the
 * category icons, SVG built from projectmap's own constants (validated colours
 * and fixed path data).
 *
 * data = {
 *   report: {title, issuer, date, source},
 *   categories: [{id, label, color, icon, count, mapped}],
 *   projects: {id: {name, category, status, amount, section,
 *                   segments: [[text, isPlace], ...], precision, mapped}},
 *   order: [project id, ...],
 *   unresolved: [{mention, count, reason}]
 * }
 */
function projectmapApp(map, data) {
  "use strict";
  var categories = {};
  var pins = {};
  var shapes = {};
  var groups = {};
  var listed = {};
  var region = null;
  var panel = null;

  data.categories.forEach(function (c) { categories[c.id] = c; });

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined && content !== null) { node.textContent = String(content); }
    return node;
  }

  function remember(registry, id, layer) {
    (registry[id] = registry[id] || []).push(layer);
  }

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
      popupAnchor: [0, -half],
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

  function card(id) {
    var p = data.projects[id];
    var box = el("article", "pm-card");
    box.appendChild(el("h3", "pm-card-title", p.name));
    var chip = box.appendChild(el("span", "pm-chip", categories[p.category].label));
    chip.style.background = categories[p.category].color;
    var facts = box.appendChild(el("dl", "pm-facts"));
    fact(facts, "状态", p.status);
    fact(facts, "金额/规模", p.amount);
    fact(facts, "章节", p.section);
    fact(facts, "定位", p.precision);
    box.appendChild(sentence(p.segments));
    return box;
  }

  function popupFor(ids) {
    return function () {
      var box = el("div", "pm-popup");
      ids.forEach(function (id) { box.appendChild(card(id)); });
      return box;
    };
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
    layer.bindPopup(popupFor(ids), {maxWidth: 360, maxHeight: 340, autoPanPaddingTopLeft: [340, 20]});
  }

  function showGroup(categoryId) {
    var g = groups[categoryId];
    if (g && !map.hasLayer(g.group)) { map.addLayer(g.group); }
    return g;
  }

  function focusProject(id) {
    var g = showGroup(data.projects[id] && data.projects[id].category);
    var pin = (pins[id] || [])[0];
    var shape = (shapes[id] || [])[0];
    if (pin && g && g.cluster) {
      g.cluster.zoomToShowLayer(pin, function () { pin.openPopup(); });
    } else if (shape) {
      var bounds = shape.getBounds();
      map.fitBounds(bounds, {maxZoom: 16, paddingTopLeft: [340, 20]});
      shape.openPopup(bounds.getCenter());
    } else {
      showInPanel(id);
    }
  }

  function showInPanel(id) {
    if (region) { map.fitBounds(region.getBounds(), {paddingTopLeft: [340, 20]}); }
    var item = listed[id];
    if (!item || !panel) { return; }
    panel.classList.remove("pm-collapsed");
    item.scrollIntoView({block: "nearest"});
    item.classList.add("pm-flash");
    setTimeout(function () { item.classList.remove("pm-flash"); }, 1600);
  }

  function projectButton(id, withChip) {
    var p = data.projects[id];
    var item = el("li", p.mapped ? "pm-item" : "pm-item pm-unmapped");
    var button = item.appendChild(el("button", "pm-link"));
    button.type = "button";
    if (withChip) { button.appendChild(iconSpan(p.category, true, 14)); }
    button.appendChild(el("span", null, p.name));
    if (!p.mapped) { button.appendChild(el("small", "pm-badge", "区县")); }
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
    var box = section("", undefined);
    var head = box.firstChild;
    head.className = "pm-cat-head";
    head.appendChild(iconSpan(c.id, true, 16));
    head.appendChild(el("span", null, " " + c.label + " (" + c.count + ")"));
    var list = box.appendChild(el("ul", "pm-list"));
    data.order.forEach(function (id) {
      if (data.projects[id].category !== c.id) { return; }
      var item = list.appendChild(projectButton(id, false));
      listed[id] = listed[id] || item;
    });
    return box;
  }

  function districtSection() {
    var ids = data.order.filter(function (id) { return !data.projects[id].mapped; });
    var box = section("仅定位到区县 · placed only to the district", ids.length);
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

  function header(root) {
    var head = root.appendChild(el("header", "pm-head"));
    var toggle = head.appendChild(el("button", "pm-toggle", "−"));
    toggle.type = "button";
    toggle.title = "收起/展开";
    head.appendChild(el("h1", "pm-title", data.report.title));
    var facts = head.appendChild(el("dl", "pm-facts"));
    fact(facts, "发布", data.report.issuer);
    fact(facts, "日期", data.report.date);
    fact(facts, "来源", data.report.source);
    L.DomEvent.on(toggle, "click", function () {
      root.classList.toggle("pm-collapsed");
      toggle.textContent = root.classList.contains("pm-collapsed") ? "+" : "−";
    });
  }

  function buildPanel() {
    var root = el("div", "pm-panel");
    header(root);
    var body = root.appendChild(el("div", "pm-body"));
    var mapped = data.order.filter(function (id) { return data.projects[id].mapped; }).length;
    body.appendChild(el("p", "pm-summary", data.order.length + " 个项目，" + mapped + " 个在图上"));
    data.categories.forEach(function (c) { body.appendChild(categorySection(c)); });
    body.appendChild(districtSection());
    body.appendChild(unresolvedSection());
    L.DomEvent.disableClickPropagation(root);
    L.DomEvent.disableScrollPropagation(root);
    panel = root;
    return root;
  }

  function legendRow(box, icon, label) {
    var row = box.appendChild(el("div", "pm-legend-row"));
    row.appendChild(icon);
    row.appendChild(el("span", null, label));
  }

  function swatch(className) {
    var span = el("span", "pm-swatch " + className);
    return span;
  }

  function buildLegend() {
    var box = el("div", "pm-legend");
    box.appendChild(el("h2", null, "图例"));
    data.categories.forEach(function (c) { legendRow(box, iconSpan(c.id, true, 16), c.label); });
    legendRow(box, iconSpan("", true, 16), "实心：精确位置 (exact site)");
    legendRow(box, iconSpan("", false, 16), "空心：附近或片区 (in the area of)");
    legendRow(box, swatch("pm-swatch-area"), "虚线圈：片区范围，约 800 米");
    legendRow(box, swatch("pm-swatch-region"), data.report.issuer + " 边界");
    box.appendChild(el("p", "pm-note", "仅定位到区县的项目不上图，见左侧列表。"));
    L.DomEvent.disableClickPropagation(box);
    return box;
  }

  function control(position, build) {
    var Control = L.Control.extend({options: {position: position}, onAdd: build});
    return new Control();
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

  function focusPlace(p, latlng) {
    if (p.bounds) {
      map.fitBounds(p.bounds, {maxZoom: 16, paddingTopLeft: [340, 20]});
    } else {
      map.setView(latlng, Math.max(map.getZoom(), 15));
    }
    L.popup({maxWidth: 320, className: "pm-place-popup"}).setLatLng(latlng)
      .setContent(placeCard(p)).openOn(map);
  }

  function moveTo(latlng) {
    var p = latlng.layer && latlng.layer.feature ? latlng.layer.feature.properties : null;
    if (!p) { return; }
    if (p.kind === "project") { focusProject(p.ref); } else { focusPlace(p, latlng); }
  }

  function searchTip(label, latlng) {
    var p = latlng && latlng.layer && latlng.layer.feature ? latlng.layer.feature.properties : {};
    var item = el("li", null, label);
    item.appendChild(el("small", "pm-tip-kind", p.kind === "place" ? "地名" : "项目"));
    return item;
  }

  function finish(layers, regionLayer) {
    groups = layers;
    region = regionLayer;
    control("topleft", buildPanel).addTo(map);
    control("bottomright", buildLegend).addTo(map);
  }

  return {
    bind: bind,
    clusterIcon: clusterIcon,
    finish: finish,
    focusProject: focusProject,
    moveTo: moveTo,
    searchTip: searchTip
  };
}
