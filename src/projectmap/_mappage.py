"""The data the map page reads: report facts, projects, unresolved names, search records.

Private to :mod:`projectmap.render`; ``assets/map.js`` documents the shape. Strings
stay raw here: the page receives them as JSON and writes them with ``textContent``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from projectmap._mapdata import (
    Feature,
    MapData,
    Project,
    display,
    feature,
    precision_text,
    rounded,
    text,
    texts,
)
from projectmap.locate import BuildResult

STATUS_WORDS = {
    "planned": "谋划/计划", "starting": "新开工", "under_construction": "在建",
    "completed": "建成", "unknown": "未注明",
}  # fmt: skip


def page_data(result: BuildResult, data: MapData) -> dict[str, Any]:
    """The page's data: ``report``, ``categories``, ``projects``, ``order``, ``unresolved``."""
    report = result.report
    mapped = {pid for layer in data.layers.values() for pid in layer.project_ids}
    return {
        "report": {
            "title": report.title or report.source,
            "issuer": result.region.name,
            "date": report.date,
            "source": report.source,
        },
        "categories": _categories(data, mapped),
        "projects": {p.id: _project(p, p.id in mapped) for p in data.projects},
        "order": [p.id for p in data.projects],
        "unresolved": unresolved(result),
    }


def _categories(data: MapData, mapped: set[str]) -> list[dict[str, Any]]:
    """Categories with at least one project, with their counts (all, and on the map)."""
    rows = []
    for category in data.categories.values():
        ids = [p.id for p in data.projects if p.category == category.id]
        if ids:
            rows.append({
                "id": category.id, "label": category.label, "color": category.color,
                "icon": category.icon, "count": len(ids), "mapped": len(mapped.intersection(ids)),
            })  # fmt: skip
    return rows


def _project(project: Project, mapped: bool) -> dict[str, Any]:
    return {
        "name": project.name,
        "category": project.category,
        "status": STATUS_WORDS.get(project.status or "", project.status),
        "amount": project.amount,
        "section": project.section,
        "segments": mark_spans(project.sentence, project.mentions),
        "precision": precision_text(project.precision, project.precision_label),
        "mapped": mapped,
    }


def mark_spans(sentence: str, mentions: Iterable[str]) -> list[tuple[str, bool]]:
    """Split a sentence into ``(text, is_place_mention)`` pieces.

    Every occurrence of every mention is marked; where two overlap, the longer wins.
    """
    hits: list[tuple[int, int]] = []
    for mention in sorted({m for m in mentions if m}, key=len, reverse=True):
        for match in re.finditer(re.escape(mention), sentence):
            if all(match.end() <= start or match.start() >= end for start, end in hits):
                hits.append(match.span())
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(hits):
        if start > at:
            pieces.append((sentence[at:start], False))
        pieces.append((sentence[start:end], True))
        at = end
    if at < len(sentence) or not pieces:
        pieces.append((sentence[at:], False))
    return pieces


def unresolved(result: BuildResult) -> list[dict[str, Any]]:
    """Unresolved mentions, once each in order of first appearance, with a count."""
    found: dict[str, dict[str, Any]] = {}
    for row in result.unresolved.to_dict("records"):
        mention = text(row.get("mention"))
        if mention:
            entry = found.setdefault(
                mention, {"mention": mention, "count": 0, "reason": text(row.get("reason"))}
            )
            entry["count"] += 1
    return list(found.values())


def search_index(result: BuildResult, data: MapData, *, datum: str) -> list[Feature]:
    """Point records for the search box, each with a unique ``label``: projects, then places."""
    records = [*_project_records(data), *_place_records(result, datum)]
    return _unique_labels(records)


def _anchor(feature: Feature) -> BaseGeometry:
    return rounded(shape(feature["geometry"]).representative_point())


def _project_records(data: MapData) -> Iterator[Feature]:
    """A search record per project: at its first pin or shape, else inside the region."""
    spots: dict[str, BaseGeometry] = {}
    for layer in data.layers.values():
        for pin in layer.pins:
            spots.setdefault(pin["properties"]["id"], shape(pin["geometry"]))
        for item in layer.shapes:
            for pid in item["properties"]["ids"]:
                spots.setdefault(pid, _anchor(item))
    fallback = None if data.region is None else _anchor(data.region)
    for project in data.projects:
        spot = spots.get(project.id, fallback)
        if spot is not None:
            props = {"kind": "project", "label": project.name, "ref": project.id}
            yield feature(spot, props)


def _place_records(result: BuildResult, datum: str) -> Iterator[Feature]:
    """A search record per resolved place mention, once per mention as written."""
    seen: set[str] = set()
    for row in result.places.to_dict("records"):
        mention, geometry = text(row.get("mention")), row.get("geometry")
        if not mention or mention in seen or text(row.get("gazetteer_id")) is None:
            continue
        if geometry is None or geometry.is_empty:
            continue
        seen.add(mention)
        shown = display(geometry, datum)
        props: dict[str, Any] = {
            "kind": "place", "label": mention, "name": text(row.get("name")),
            "type": text(row.get("type")),
            "precision": precision_text(row.get("precision"), text(row.get("precision_label"))),
            "ids": list(texts(row.get("project_ids"))),
        }  # fmt: skip
        if shown.geom_type != "Point":
            west, south, east, north = shown.bounds
            props["bounds"] = [[south, west], [north, east]]
        yield feature(rounded(shown.representative_point()), props)


def _unique_labels(index: list[Feature]) -> list[Feature]:
    """Number repeated labels (``名称 (2)``): the search box keys its records by label."""
    seen: set[str] = set()
    last: dict[str, int] = {}  # the number a label was last given: no recount from 1
    for record in index:
        label = record["properties"]["label"] or "(无名)"
        candidate, n = label, last.get(label, 1)
        while candidate in seen:
            n += 1
            candidate = f"{label} ({n})"
        seen.add(candidate)
        last[label] = n
        record["properties"]["label"] = candidate
    return index
