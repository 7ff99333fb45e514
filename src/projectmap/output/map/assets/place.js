/* projectmap: placing places by hand on the map page, and downloading a gazetteer patch.
 *
 * Every place the build left unresolved or placed only in the district gets a
 * "place it" button. The user picks point, line or polygon and clicks the map:
 * one click for a point, a click per vertex (then "finish") for a line or a
 * polygon. "Download gazetteer patch" saves the placements as a GeoJSON
 * FeatureCollection in the gazetteer's format, for `projectmap gazetteer import`.
 * Nothing leaves the page: no server, no network.
 *
 * Coordinates are saved in WGS-84. Over AMap tiles the page is drawn in GCJ-02,
 * so a click there is GCJ-02 and is converted back before it is saved
 * (source_crs then says GCJ-02). Report text is written with textContent only.
 *
 * data = {
 *   region: {code, name}, report: source file name, datum: "wgs84" | "gcj02",
 *   places: [{name, mention, sentence, type, precision, count}]
 * }
 */
function projectmapPlace(map, data) {
  "use strict";
  var KINDS = [["point", "点 point"], ["line", "线 line"], ["polygon", "面 polygon"]];
  var placed = {};
  var active = null;
  // The datum of what the map draws now: GCJ-02 while AMap tiles are shown (map.js
  // moves everything there), so a click is converted with the datum of its moment.
  var current = data.datum;
  map.on("baselayerchange", function (e) {
    if (e.layer && e.layer._pmDatum) { current = e.layer._pmDatum; }
  });
  var drawn = L.layerGroup().addTo(map);
  var rows = {};
  var downloadButton = null;
  var hint = null;

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined && content !== null) { node.textContent = String(content); }
    return node;
  }

  function button(label, className, onClick) {
    var b = el("button", "pm-place-button " + (className || ""), label);
    b.type = "button";
    L.DomEvent.on(b, "click", function (e) { L.DomEvent.stop(e); onClick(); });
    return b;
  }

  // --- GCJ-02: the published formula (WGS-84 to GCJ-02) and its iterated inverse ---
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;

  function outOfChina(lon, lat) {
    return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function dLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
  }

  function dLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
  }

  function wgsToGcj(lon, lat) {
    if (outOfChina(lon, lat)) { return [lon, lat]; }
    var rad = lat / 180 * PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad);
    var root = Math.sqrt(magic);
    var y = dLat(lon - 105, lat - 35) * 180 / ((A * (1 - EE)) / (magic * root) * PI);
    var x = dLon(lon - 105, lat - 35) * 180 / (A / root * Math.cos(rad) * PI);
    return [lon + x, lat + y];
  }

  function gcjToWgs(lon, lat) {
    var w = [lon, lat];
    for (var i = 0; i < 30; i++) {
      var g = wgsToGcj(w[0], w[1]), ex = g[0] - lon, ey = g[1] - lat;
      w = [w[0] - ex, w[1] - ey];
      if (Math.abs(ex) < 1e-10 && Math.abs(ey) < 1e-10) { break; }
    }
    return w;
  }

  function stored(latlng, datum) {
    var lon = latlng.lng, lat = latlng.lat;
    var w = datum === "gcj02" ? gcjToWgs(lon, lat) : [lon, lat];
    return [Math.round(w[0] * 1e6) / 1e6, Math.round(w[1] * 1e6) / 1e6];
  }

  // --- drawing ---
  function shapeOf(kind, points) {
    var style = {color: "#d7301f", weight: 3, className: "pm-placed"};
    if (kind === "point") {
      return L.circleMarker(points[0], L.extend({radius: 7, fillOpacity: 0.8}, style));
    }
    if (kind === "line") { return L.polyline(points, style); }
    return L.polygon(points, L.extend({fillOpacity: 0.25}, style));
  }

  function redraw() {
    if (active.layer) { drawn.removeLayer(active.layer); active.layer = null; }
    if (!active.points.length) { return; }
    active.layer = active.points.length === 1 && active.kind !== "point" ?
      L.circleMarker(active.points[0], {radius: 4, color: "#d7301f"}) :
      shapeOf(active.kind, active.points);
    active.layer.addTo(drawn);
  }

  function onClick(e) {
    if (!active || !active.kind) { return; }
    active.points.push(e.latlng);
    redraw();
    if (active.kind === "point") { finish(); } else { showState(); }
  }

  function start(name) {
    cancel();
    active = {name: name, kind: null, points: [], layer: null};
    L.DomUtil.addClass(map.getContainer(), "pm-placing");
    showState();
  }

  function choose(kind) {
    if (!active) { return; }
    active.kind = kind;
    active.points = [];
    redraw();
    showState();
  }

  function finish() {
    if (!active || !active.kind) { return; }
    var need = {point: 1, line: 2, polygon: 3}[active.kind];
    if (active.points.length < need) { return; }
    var old = placed[active.name];
    if (old) { drawn.removeLayer(old.layer); }
    if (active.layer) { drawn.removeLayer(active.layer); }
    var layer = shapeOf(active.kind, active.points).addTo(drawn);
    layer.bindTooltip(active.name);
    placed[active.name] = {
      kind: active.kind, points: active.points.slice(), layer: layer, datum: current
    };
    stop();
  }

  function cancel() {
    if (active && active.layer) { drawn.removeLayer(active.layer); }
    stop();
  }

  function stop() {
    active = null;
    L.DomUtil.removeClass(map.getContainer(), "pm-placing");
    showState();
  }

  function undo(name) {
    if (placed[name]) { drawn.removeLayer(placed[name].layer); delete placed[name]; }
    showState();
  }

  // --- the patch ---
  function geometry(entry) {
    var coords = entry.points.map(function (p) { return stored(p, entry.datum); });
    if (entry.kind === "point") { return {type: "Point", coordinates: coords[0]}; }
    if (entry.kind === "line") { return {type: "LineString", coordinates: coords}; }
    return {type: "Polygon", coordinates: [coords.concat([coords[0]])]};
  }

  function feature(place) {
    var entry = placed[place.name];
    var notes = "mention: " + place.mention + "; sentence: " + place.sentence;
    return {
      type: "Feature",
      properties: {
        id: data.region.code + "/" + place.name, name: place.name, type: place.type,
        parent: data.region.code, source: "placed by hand in map.html (" + data.report + ")",
        licence: "the user's own placement", notes: notes,
        source_crs: entry.datum === "gcj02" ? "GCJ-02" : "WGS-84"
      },
      geometry: geometry(entry)
    };
  }

  function patch() {
    var features = data.places.filter(function (p) { return placed[p.name]; }).map(feature);
    return {type: "FeatureCollection", features: features};
  }

  function stamp() {
    var d = new Date(), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + pad(d.getMonth() + 1) + pad(d.getDate()) + "-" +
      pad(d.getHours()) + pad(d.getMinutes()) + pad(d.getSeconds());
  }

  function download() {
    var text = JSON.stringify(patch(), null, 1);
    var blob = new Blob([text + "\n"], {type: "application/geo+json"});
    var link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = "gazetteer-patch-" + data.region.code + "-" + stamp() + ".geojson";
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  // --- the control ---
  function showState() {
    Object.keys(rows).forEach(function (name) {
      var row = rows[name], isActive = active && active.name === name;
      L.DomUtil[placed[name] ? "addClass" : "removeClass"](row.node, "pm-done");
      L.DomUtil[isActive ? "addClass" : "removeClass"](row.node, "pm-active");
      row.state.textContent = placed[name] ? "✓ " + placed[name].kind : "";
      row.tools.style.display = isActive ? "" : "none";
      row.finish.disabled = !(isActive && active.kind && active.kind !== "point" &&
        active.points.length >= (active.kind === "line" ? 2 : 3));
      row.undo.style.display = placed[name] && !isActive ? "" : "none";
    });
    var count = Object.keys(placed).length;
    downloadButton.disabled = count === 0;
    downloadButton.textContent = "下载地名补丁 Download gazetteer patch (" + count + ")";
    hint.textContent = !active ? "" : !active.kind ? "选择 点/线/面 · choose point, line or polygon" :
      active.kind === "point" ? "点击地图 · click the map" :
      "逐点点击, 然后完成 · click each vertex, then finish";
  }

  function placeRow(place) {
    var node = el("li", "pm-place-row");
    var head = el("div", "pm-place-head");
    head.appendChild(el("span", "pm-place-name", place.name + (place.count > 1 ? " ×" + place.count : "")));
    var state = el("span", "pm-place-state");
    head.appendChild(state);
    head.appendChild(button("放置 place it", "pm-place-it", function () { start(place.name); }));
    var undoButton = button("撤销 undo", "pm-place-undo", function () { undo(place.name); });
    head.appendChild(undoButton);
    node.appendChild(head);
    var tools = el("div", "pm-place-tools");
    KINDS.forEach(function (k) {
      tools.appendChild(button(k[1], "pm-place-" + k[0], function () { choose(k[0]); }));
    });
    var finishButton = button("完成 finish", "pm-place-finish", finish);
    tools.appendChild(finishButton);
    tools.appendChild(button("取消 cancel", "pm-place-cancel", cancel));
    node.appendChild(tools);
    rows[place.name] = {node: node, state: state, tools: tools, finish: finishButton,
      undo: undoButton};
    return node;
  }

  function build() {
    var box = el("div", "pm-place-box");
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    var title = el("div", "pm-place-title", "放置地名 · Place by hand (" + data.places.length + ")");
    box.appendChild(title);
    var list = el("ul", "pm-place-list");
    data.places.forEach(function (p) { list.appendChild(placeRow(p)); });
    box.appendChild(list);
    hint = el("div", "pm-place-hint");
    box.appendChild(hint);
    downloadButton = button("", "pm-place-download", download);
    box.appendChild(downloadButton);
    L.DomEvent.on(title, "click", function () { L.DomUtil.hasClass(box, "pm-place-open") ?
      L.DomUtil.removeClass(box, "pm-place-open") : L.DomUtil.addClass(box, "pm-place-open"); });
    return box;
  }

  if (!data.places.length) { return {patch: patch}; }
  var Control = L.Control.extend({options: {position: "bottomright"}, onAdd: build});
  new Control().addTo(map);
  map.on("click", onClick);
  showState();
  return {patch: patch, gcjToWgs: gcjToWgs, wgsToGcj: wgsToGcj};
}
