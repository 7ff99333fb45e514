"""The data the map page reads: report facts, projects, places, unresolved names, search.

Private to :mod:`projectmap.output.map.render`; ``assets/map.js`` documents the shape. Strings
stay raw here: the page receives them as JSON and writes them with ``textContent``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from projectmap.output.labels import REASON_WORDS, STATUS_WORDS, area_word, region_word
from projectmap.output.map.data import MapData, is_mapped, precision_text
from projectmap.places.geojson import rounded_geometry
from projectmap.places.result import BuildResult, LocatedProject


def page_data(
    result: BuildResult, data: MapData, basemaps: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """The page's data (its shape is documented in ``assets/map.js``)."""
    report = result.report
    places = project_places(result)
    return {
        "report": {
            "title": report.title or report.source,
            "issuer": result.region.name,
            "level": region_word(result),
            "date": report.date,
            "source": report.source,
        },
        "categories": _categories(data),
        "projects": {
            p.id: _project(p, places.get(p.id, []), data.areas[p.id]) for p in data.projects
        },
        "order": [p.id for p in data.projects],
        "unresolved": unresolved(result),
        "search": search_index(result, data),
        "basemaps": list(basemaps),
        "bounds": data.bounds,
    }


def _categories(data: MapData) -> list[dict[str, Any]]:
    """Categories with at least one project: counts (all, and on the map) and their areas."""
    return [
        {
            "id": c.id,
            "label": c.label,
            "color": c.color,
            "icon": c.icon,
            "layer": layer.name,
            "count": len(layer.project_ids),
            "mapped": len(layer.mapped_ids),
            "areas": layer.areas,
        }
        for c in data.categories.values()
        if (layer := data.layers.get(c.id)) is not None
    ]


def _project(project: LocatedProject, places: list[dict[str, Any]], area: str) -> dict[str, Any]:
    mapped = is_mapped(project)
    return {
        "name": project.name,
        "category": project.category,
        "status": STATUS_WORDS.get(project.status, project.status),
        "amount": project.amount,
        "section": project.section,
        "segments": mark_spans(project.sentence, project.places),
        "precision": precision_text(project.precision, project.precision_label, area),
        "mapped": mapped,
        "level": None if mapped else area_word(area, 3),
        "places": places,
    }


def project_places(result: BuildResult) -> dict[str, list[dict[str, Any]]]:
    """Each project's place mentions: the entry each resolved to, its precision and why."""
    found: dict[str, list[dict[str, Any]]] = {}
    region = result.region.name
    for row in result.located_places:
        area = row.name if row.type == "admin" else region
        place = {
            "mention": row.mention, "name": row.name, "id": row.gazetteer_id, "type": row.type,
            "precision": "未定位" if row.geometry is None
            else precision_text(row.precision, None, area or region),
            "reason": REASON_WORDS.get(row.reason, row.reason), "explanation": row.explanation,
        }  # fmt: skip
        for pid in row.project_ids:
            found.setdefault(pid, []).append(place)
    return found


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
    for row in result.unresolved_places:
        if row.mention:
            entry = found.setdefault(
                row.mention, {"mention": row.mention, "count": 0, "reason": row.reason}
            )
            entry["count"] += 1
    return list(found.values())


def search_index(result: BuildResult, data: MapData) -> list[dict[str, Any]]:
    """Records for the search box, each with a unique ``label``: projects, then places."""
    records = [*_project_records(data), *_place_records(result)]
    return _unique_labels(records)


def _project_records(data: MapData) -> Iterator[dict[str, Any]]:
    for project in data.projects:
        yield {"kind": "project", "label": project.name, "ref": project.id}


def _place_records(result: BuildResult) -> Iterator[dict[str, Any]]:
    """A record per resolved place mention, once per mention as written, with where it is."""
    seen: set[str] = set()
    region = result.region.name
    for row in result.located_places:
        mention, geometry = row.mention, row.geometry
        if not mention or mention in seen or not row.resolved:
            continue
        if geometry is None or geometry.is_empty:
            continue
        seen.add(mention)
        area = (row.name if row.type == "admin" else None) or region
        spot = rounded_geometry(geometry.representative_point())
        record: dict[str, Any] = {
            "kind": "place", "label": mention, "name": row.name, "type": row.type,
            "precision": precision_text(row.precision, row.precision_label, area),
            "ids": list(row.project_ids), "latlng": [spot.y, spot.x],
        }  # fmt: skip
        if geometry.geom_type != "Point":
            west, south, east, north = rounded_geometry(geometry).bounds
            record["bounds"] = [[south, west], [north, east]]
        yield record


def _unique_labels(index: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Number repeated labels (``名称 (2)``), in one pass: the tips show labels only."""
    seen: set[str] = set()
    tried: dict[str, int] = {}
    for record in index:
        label = record["label"] or "(无名)"
        candidate, n = label, tried.get(label, 1)
        if label in seen:
            while candidate in seen:
                n += 1
                candidate = f"{label} ({n})"
        tried[label] = n
        seen.add(candidate)
        record["label"] = candidate
    return index
