"""The files ``projectmap compare`` writes, and their writer.

A CSV, a GeoJSON and a map with a layer per status, plus ``compare.json``, the
folder's record.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from projectmap.compare import Change, Comparison
from projectmap.files.outdir import staged_folder
from projectmap.files.safe import write_text_atomic
from projectmap.output.tables import neutralised
from projectmap.places.geojson import feature_collection, geometry_json

if TYPE_CHECKING:
    import folium

COLUMNS = (
    "status", "name", "old_id", "old_name", "old_status", "new_id", "new_name", "new_status",
    "score", "places", "reason", "sentence",
)  # fmt: skip
COLOURS = {"new": "#2b83ba", "continuing": "#fdae61", "completed": "#1a9641", "dropped": "#d7191c"}
LABELS = {"new": "新增 new", "continuing": "续建 continuing", "completed": "完成 completed",
          "dropped": "未再提及 dropped"}  # fmt: skip


def _row(change: Change) -> dict[str, Any]:
    old, new, current = change.old, change.new, change.current
    return {
        "status": change.status,
        "name": current.name,
        "old_id": old.id if old else "",
        "old_name": old.name if old else "",
        "old_status": old.status if old else "",
        "new_id": new.id if new else "",
        "new_name": new.name if new else "",
        "new_status": new.status if new else "",
        "score": change.score,
        "places": "、".join(current.places),
        "reason": change.reason,
        "sentence": current.sentence,
    }


def compare_csv(comparison: Comparison) -> str:
    """One row per project of either report; report text never reads as a formula."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: neutralised(v) for k, v in _row(c).items()} for c in comparison.changes)
    return buffer.getvalue()


def _features(comparison: Comparison, *, escape: bool = False) -> list[dict[str, Any]]:
    features = []
    for change in comparison.changes:
        props = _row(change)
        if escape:
            props = {k: html.escape(str(v)) for k, v in props.items()}
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": geometry_json(change.current.geometry),
            }
        )
    return features


def compare_geojson(comparison: Comparison) -> str:
    """A FeatureCollection, one feature a line, located where the project is (or was)."""
    return feature_collection(_features(comparison))


def compare_map(comparison: Comparison) -> folium.Map:
    """A map with one layer per status, named with its count; every text shown is escaped.

    Projects with no geometry are counted but not drawn.
    """
    import folium

    from projectmap.output.map.render import leaflet_only

    located = [f for f in _features(comparison, escape=True) if f["geometry"] is not None]
    fmap = folium.Map(tiles="OpenStreetMap", location=[35.0, 105.0], zoom_start=4)
    leaflet_only(fmap)
    for status, count in comparison.counts().items():
        features = [f for f in located if f["properties"]["status"] == status]
        layer = folium.FeatureGroup(name=f"{LABELS[status]} ({count})")
        if features:
            _layer_features(features, COLOURS[status]).add_to(layer)
        layer.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    bounds = _bounds(located)
    if bounds is not None:
        fmap.fit_bounds(bounds, max_zoom=15)
    return fmap


def _layer_features(features: list[dict[str, Any]], colour: str) -> folium.GeoJson:
    import folium

    fields = ["status", "name", "old_name", "places", "reason", "sentence"]
    style = {"color": colour, "weight": 4, "fillColor": colour, "fillOpacity": 0.35}
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda _feature: style,
        marker=folium.CircleMarker(radius=7, fill=True, color=colour, fill_opacity=0.8),
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        popup=folium.GeoJsonPopup(fields=fields, aliases=[f"{f}:" for f in fields]),
    )


def _bounds(features: list[dict[str, Any]]) -> list[list[float]] | None:
    from shapely.geometry import shape

    boxes = [shape(f["geometry"]).bounds for f in features]
    if not boxes:
        return None
    return [[min(b[1] for b in boxes), min(b[0] for b in boxes)],
            [max(b[3] for b in boxes), max(b[2] for b in boxes)]]  # fmt: skip


def map_page(comparison: Comparison) -> str:
    """The comparison's map as one HTML page that works offline, as the build's map does."""
    from projectmap.output.map.render import map_html

    return map_html(compare_map(comparison))


def compare_json(comparison: Comparison) -> str:
    """The folder's record: what was compared, the counts, and the files written."""
    data = {
        "old": comparison.old,
        "new": comparison.new,
        "counts": comparison.counts(),
        "files": sorted(FILES),
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


FILES: dict[str, Callable[[Comparison], str]] = {
    "compare.csv": compare_csv,
    "compare.geojson": compare_geojson,
    "map.html": map_page,
    "compare.json": compare_json,
}


def write_comparison(
    comparison: Comparison, outdir: Path, *, inputs: Sequence[Path] = ()
) -> list[Path]:
    """Write ``compare.csv``, ``compare.geojson``, ``map.html`` and ``compare.json``, atomically.

    ``compare.json`` is the folder's record: the files the comparison wrote.
    """
    with staged_folder(outdir, record="compare.json", inputs=inputs) as stage:
        for name, make in FILES.items():
            write_text_atomic(stage / name, make(comparison))
    return [outdir / name for name in FILES]
