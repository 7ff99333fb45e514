"""The typed result of a build: the output contract every writer and reader shares.

A build ends in one :class:`BuildResult`: the report, the issuing region, and
its projects and place mentions as typed records in text order. The exports,
the map, ``compare`` and ``batch`` read those records. The GeoDataFrames of the
Python API (``result.projects``, ``result.places``) are made from them here, in
one place, on first use.

Every record's fields are in the contract's one order, :data:`PROJECT_FIELDS`
and :data:`PLACE_FIELDS`: the properties of ``projects.geojson`` and
``places.geojson`` and the frames' columns (``geometry`` last). ``start`` and
``end`` are character offsets into ``BuildResult.report.text``; geometry is
WGS-84 (EPSG:4326), None where nothing placed the record.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from projectmap.places.entry import Entry
from projectmap.reading.ingest import Report
from projectmap.text.classify import Category, Classifier

if TYPE_CHECKING:
    from projectmap.places.region import Issuer

#: Geographic precision codes (IATI / UCDP-AidData scale) and their words.
PRECISION_LABELS = {
    1: "exact site",
    2: "near, or in the area of, a known place",
    3: "somewhere in the county or district",
    4: "somewhere in the province",
    5: "estimated",
    6: "somewhere in the country",
    7: "unclear",
    8: "seat of government",
}


@dataclass(frozen=True)
class LocatedProject:
    """A project with its category, places and geometry.

    ``places`` are the mentions as written and ``place_ids`` the gazetteer id of
    each, in the same order (``""`` where one did not resolve). ``precision`` is
    the best of its places', or the region's when none is placed.
    """

    id: str
    name: str
    category: str
    category_label: str
    places: tuple[str, ...]
    place_ids: tuple[str, ...]
    status: str
    amount: str | None
    section: str
    sentence: str
    precision: int
    precision_label: str
    start: int
    end: int
    geometry: BaseGeometry | None = None


@dataclass(frozen=True)
class LocatedPlace:
    """A place mention with what it resolved to, why, and the projects it belongs to.

    ``name``, ``gazetteer_id`` and ``type`` are None when the mention did not
    resolve; ``reason`` and ``explanation`` say why in either case.
    """

    id: str
    mention: str
    name: str | None
    gazetteer_id: str | None
    type: str | None
    precision: int | None
    precision_label: str | None
    reason: str
    explanation: str
    project_ids: tuple[str, ...]
    sentence: str
    start: int
    end: int
    geometry: BaseGeometry | None = None

    @property
    def resolved(self) -> bool:
        """Matched to a gazetteer entry."""
        return self.gazetteer_id is not None


#: The contract's field order for projects (``projects.geojson``, the frame's columns).
PROJECT_FIELDS = tuple(f.name for f in fields(LocatedProject) if f.name != "geometry")
#: The contract's field order for place mentions (``places.geojson``, the frame's columns).
PLACE_FIELDS = tuple(f.name for f in fields(LocatedPlace) if f.name != "geometry")
_LISTS = frozenset({"places", "place_ids", "project_ids"})
_INTEGERS = ("precision", "start", "end")
Record = TypeVar("Record", LocatedProject, LocatedPlace)


@dataclass(frozen=True)
class BuildResult:
    """Everything one build produced, ready to export and render.

    Attributes
    ----------
    report : Report
        The cleaned report with its title, issuer and date.
    region : Entry
        The issuing government's area; its geometry is drawn as context.
    located_projects : tuple of LocatedProject
        The projects, in text order.
    located_places : tuple of LocatedPlace
        The place mentions, in text order.
    issuer : Issuer or None
        The issuing government with its province, city and county, and how it was found.
    categories : tuple of Category
        The categories the build classified by, in the rules' order (the map's legend);
        the packaged ones unless the build was given a user's file.
    """

    report: Report
    region: Entry
    located_projects: tuple[LocatedProject, ...]
    located_places: tuple[LocatedPlace, ...]
    issuer: Issuer | None = None
    categories: tuple[Category, ...] = field(default_factory=lambda: Classifier.load().categories)

    @classmethod
    def from_frames(
        cls,
        report: Report,
        region: Entry,
        projects: gpd.GeoDataFrame,
        places: gpd.GeoDataFrame,
        issuer: Issuer | None = None,
    ) -> BuildResult:
        """A result from frames shaped as :attr:`projects` and :attr:`places` (edited ones too)."""
        return cls(
            report,
            region,
            records_of(projects, LocatedProject),
            records_of(places, LocatedPlace),
            issuer,
        )

    def with_frames(
        self, projects: gpd.GeoDataFrame | None = None, places: gpd.GeoDataFrame | None = None
    ) -> BuildResult:
        """A copy with its projects or places replaced by edited frames."""
        return dataclasses.replace(
            self,
            located_projects=self.located_projects
            if projects is None
            else records_of(projects, LocatedProject),
            located_places=self.located_places
            if places is None
            else records_of(places, LocatedPlace),
        )

    @property
    def unresolved_places(self) -> tuple[LocatedPlace, ...]:
        """Place mentions with no gazetteer entry, in text order."""
        return tuple(p for p in self.located_places if not p.resolved)

    @cached_property
    def projects(self) -> gpd.GeoDataFrame:
        """The projects as a GeoDataFrame, columns in :data:`PROJECT_FIELDS` order."""
        return frame_of(self.located_projects, PROJECT_FIELDS)

    @cached_property
    def places(self) -> gpd.GeoDataFrame:
        """The place mentions as a GeoDataFrame, columns in :data:`PLACE_FIELDS` order."""
        return frame_of(self.located_places, PLACE_FIELDS)

    @property
    def unresolved(self) -> gpd.GeoDataFrame:
        """Place mentions with no gazetteer entry, as a GeoDataFrame."""
        return self.places[self.places["gazetteer_id"].isna()]


def frame_of(records: Iterable[Record], names: tuple[str, ...]) -> gpd.GeoDataFrame:
    """The one place records become a GeoDataFrame (WGS-84; list fields as lists)."""
    rows = [[list(v) if isinstance(v, tuple) else v for v in values(r)] for r in records]
    frame = gpd.GeoDataFrame(
        rows, columns=[*names, "geometry"], geometry="geometry", crs="EPSG:4326"
    )
    whole = {c: "int64" for c in _INTEGERS if c in names and frame[c].notna().all()}
    return frame.astype(whole)


def values(record: LocatedProject | LocatedPlace) -> tuple[Any, ...]:
    """A record's values in field order, geometry last (not deep-copied, unlike ``astuple``)."""
    return tuple(getattr(record, f.name) for f in fields(record))


def records_of(frame: gpd.GeoDataFrame, kind: type[Record]) -> tuple[Record, ...]:
    """Typed records from a frame's rows: nulls as None, lists as tuples of text."""
    names = [f.name for f in fields(kind)]
    return tuple(
        kind(**{name: _value(name, row.get(name)) for name in names})
        for row in frame.to_dict("records")
    )


def _value(name: str, value: Any) -> Any:
    if name in _LISTS:
        return tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else ()
    if hasattr(value, "item") and not isinstance(value, (str, bytes, BaseGeometry)):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if name in _INTEGERS:
        return int(value)
    return value


__all__ = [
    "PLACE_FIELDS",
    "PRECISION_LABELS",
    "PROJECT_FIELDS",
    "BuildResult",
    "LocatedPlace",
    "LocatedProject",
]
