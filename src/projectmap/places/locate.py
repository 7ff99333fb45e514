"""Attach geometry to projects and place mentions: the stage where text becomes the result.

From here on one :class:`~projectmap.places.result.BuildResult` of typed
records flows to export and render.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Mapping, Sequence

from shapely.geometry import GeometryCollection, MultiLineString, MultiPoint, MultiPolygon
from shapely.geometry.base import BaseGeometry

from projectmap.places.gazetteer import Entry
from projectmap.places.region import Issuer
from projectmap.places.resolve import Resolution
from projectmap.places.result import PRECISION_LABELS, BuildResult, LocatedPlace, LocatedProject
from projectmap.reading.ingest import Report
from projectmap.text.classify import Category
from projectmap.text.extract import Project


def locate(
    report: Report,
    region: Entry,
    projects: Sequence[Project],
    resolutions: Sequence[Resolution],
    categories: Mapping[str, tuple[str, str]],
    *,
    issuer: Issuer | None = None,
    classified_by: tuple[Category, ...],
) -> BuildResult:
    """Attach geometry and precision to projects and place mentions.

    Parameters
    ----------
    report : Report
        The report the offsets refer to.
    region : Entry
        The issuing area; a project with no resolved place lies somewhere in it.
    projects : sequence of Project
        Projects in text order.
    resolutions : sequence of Resolution
        One per kept place mention, in text order.
    categories : mapping
        Project id to ``(category id, label)``.
    issuer : Issuer, optional
        The issuing government as :func:`projectmap.places.region.find_region` found it.
    classified_by : tuple of Category
        The categories the projects were classified by (the map's legend).
    """
    by_mention = {(r.mention.start, r.mention.end): r for r in resolutions}
    located = tuple(
        _located_project(
            p, [by_mention.get((m.start, m.end)) for m in p.places], categories[p.id], region
        )
        for p in projects
    )
    spans = _ProjectSpans(projects)
    places = tuple(_located_place(r, report, spans) for r in resolutions)
    return BuildResult(report, region, located, places, issuer=issuer, categories=classified_by)


def _located_project(
    project: Project,
    resolutions: list[Resolution | None],
    category: tuple[str, str],
    region: Entry,
) -> LocatedProject:
    """A project located; ``resolutions`` has one per place, ``None`` for one not reported."""
    placed = [r for r in resolutions if r is not None and r.geometry is not None]
    best = min((r.precision for r in placed), default=None)
    geometry = _combine(
        [r.geometry for r in placed if r.precision == best and r.geometry is not None]
    )
    precision = best if best is not None else _area_precision(region)
    return LocatedProject(
        id=project.id,
        name=project.name,
        category=category[0],
        category_label=category[1],
        places=tuple(m.text for m in project.places),
        place_ids=tuple(r.entry.id if r is not None and r.entry else "" for r in resolutions),
        status=project.status,
        amount=project.amount,
        section=project.sentence.section or project.sentence.lead,
        sentence=project.sentence.text,
        precision=precision,
        precision_label=PRECISION_LABELS[precision],
        start=project.start,
        end=project.end,
        geometry=geometry,
    )


class _ProjectSpans:
    """Projects by the sentence they lie in, to find a mention's in one look-up, not a scan."""

    def __init__(self, projects: Sequence[Project]) -> None:
        self._by_sentence: dict[int, list[Project]] = {}
        for project in projects:
            self._by_sentence.setdefault(project.sentence.start, []).append(project)
        self._starts = sorted(self._by_sentence)

    def around(self, start: int) -> list[Project]:
        """The projects of the sentence that holds offset ``start``, in text order."""
        at = bisect.bisect_right(self._starts, start) - 1
        if at < 0:
            return []
        siblings = self._by_sentence[self._starts[at]]
        return siblings if start < siblings[0].sentence.end else []


def _located_place(resolution: Resolution, report: Report, spans: _ProjectSpans) -> LocatedPlace:
    mention = resolution.mention
    entry = resolution.entry
    geometry = resolution.geometry
    precision = resolution.precision if geometry is not None else 7
    siblings = spans.around(mention.start)
    owners = [p.id for p in siblings if p.start <= mention.start and mention.end <= p.end]
    sentence = (
        siblings[0].sentence.text
        if siblings
        else _sentence_around(report.text, mention.start, mention.end)
    )
    return LocatedPlace(
        id="m-" + hashlib.sha1(f"{mention.text}\n{mention.start}".encode()).hexdigest()[:12],
        mention=mention.text,
        name=entry.name if entry else None,
        gazetteer_id=entry.id if entry else None,
        type=entry.type if entry else None,
        precision=precision,
        precision_label=PRECISION_LABELS[precision],
        reason=resolution.reason,
        explanation=resolution.explanation,
        project_ids=tuple(owners),
        sentence=sentence,
        start=mention.start,
        end=mention.end,
        geometry=geometry,
    )


_ENDERS = "。！？；\n"
_ENDER = re.compile(f"[{_ENDERS}]")


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence around a span, found without scanning the text for an ender it lacks."""
    found = _ENDER.search(text, end)
    right = found.end() if found else len(text)
    return text[_last_ender_before(text, start) + 1 : right].strip()


def _last_ender_before(text: str, start: int) -> int:
    """Offset of the last sentence ender before ``start`` (-1 if none), looked for backwards."""
    width = 256
    while True:
        low = max(0, start - width)
        at = max(text.rfind(ch, low, start) for ch in _ENDERS)
        if at >= 0 or low == 0:
            return at
        width *= 4


def _area_precision(region: Entry) -> int:
    return 4 if region.admin_level == 1 else 3


def _combine(geometries: list[BaseGeometry]) -> BaseGeometry | None:
    """One geometry from several: a Multi* when they share a type, else a collection."""
    unique = list({g.wkb: g for g in geometries}.values())
    if not unique:
        return None
    if len(unique) == 1:
        return unique[0]
    kinds = {g.geom_type.replace("Multi", "") for g in unique}
    parts = [p for g in unique for p in getattr(g, "geoms", [g])]
    if kinds == {"Point"}:
        return MultiPoint(parts)
    if kinds == {"LineString"}:
        return MultiLineString(parts)
    if kinds == {"Polygon"}:
        return MultiPolygon(parts)
    return GeometryCollection(unique)
