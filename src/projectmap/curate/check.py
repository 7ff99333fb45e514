"""Check a gazetteer folder and report every problem, not just the first.

:func:`check_gazetteer` reads each file with the reader of
:func:`~projectmap.places.gazetteer.load_gazetteer` (:mod:`projectmap.places.layer`)
but collects problems instead of stopping: broken JSON lines, entries that
break the schema, repeated ids, unknown parents, ``same_as`` ids that name no
entry, parent cycles, invalid geometries, places lying outside their nearest
ancestor polygon (the usual sign of GCJ-02 coordinates labelled WGS-84) and
names shared by several entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from projectmap.errors import CrsError
from projectmap.places.crs import bd09_to_wgs84, distance_m, gcj02_to_wgs84, normalize_crs
from projectmap.places.gazetteer import (
    Entry,
    Gazetteer,
    Layer,
    by_id,
    geometry_fault,
    parent_cycles,
    read_layers,
)

Level = Literal["error", "warning"]

#: How far (in metres) a place may lie outside its ancestor polygon before it is reported.
DEFAULT_TOLERANCE_M = 100.0

_POLYGONAL = ("Polygon", "MultiPolygon")
_DATUMS = (("gcj02", "GCJ-02", gcj02_to_wgs84), ("bd09", "BD-09", bd09_to_wgs84))


@dataclass(frozen=True)
class Problem:
    """One problem found in a gazetteer file.

    Attributes
    ----------
    file : str
        The file, relative to the gazetteer folder.
    entry : str or None
        The id of the entry concerned, when known.
    level : {"error", "warning"}
        Errors break the gazetteer; warnings are worth a look.
    message : str
        What is wrong, naming the file and the entry, and how to fix it.
    """

    file: str
    entry: str | None
    level: Level
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.message}"


def check_gazetteer(
    directory: str | Path, *, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> list[Problem]:
    """Check every ``*.geojson`` file below ``directory``.

    Parameters
    ----------
    directory : str or Path
        The gazetteer folder.
    tolerance_m : float
        How far, in metres, a place may lie outside its nearest ancestor polygon.

    Returns
    -------
    list of Problem
        Every problem found, sorted by file and entry; empty when all is well.

    Raises
    ------
    GazetteerError
        When ``directory`` is not a folder.
    """
    root = Path(directory)
    layers = read_layers(root, recover=True)
    problems = [problem for layer in layers for problem in _fault_problems(layer)]
    entries, repeats = by_id(entry for layer in layers for entry in layer.entries)
    problems += [_duplicate(entry, first) for entry, first in repeats]
    gazetteer = Gazetteer(entries.values())
    problems += _dangling(
        gazetteer, "parent", "add {id} to a gazetteer file or correct the parent id"
    )
    problems += _dangling(
        entries, "same_as", "set same_as to the id of the curated entry it stands for, or remove it"
    )
    problems += _cycle_problems(gazetteer)
    problems += _geometry_problems(gazetteer, tolerance_m)
    problems += _name_problems(gazetteer)
    return sorted(problems, key=lambda p: (p.file, p.entry or ""))


def summarize(problems: list[Problem]) -> str:
    """Return a one-line count of errors and warnings."""
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


# --- reading -------------------------------------------------------------------------------


def _fault_problems(layer: Layer) -> list[Problem]:
    """A problem for each fault of the layer, naming the file relative to the folder."""
    return [
        _error(layer.name, fault.entry, fault.message.replace(str(layer.path), layer.name, 1))
        for fault in layer.faults
    ]


def _error(file: str, entry: str | None, message: str) -> Problem:
    return Problem(file, entry, "error", message)


def _label(entry: Entry) -> str:
    return f"{entry.file}: entry {entry.id!r} ({entry.name})"


# --- ids and parents -----------------------------------------------------------------------


def _duplicate(entry: Entry, first: Entry) -> Problem:
    message = (
        f"{_label(entry)} repeats an id already used in {first.file} ({first.name}); "
        "give one of them another id"
    )
    return _error(entry.file, entry.id, message)


def _dangling(
    entries: Mapping[str, Entry], key: Literal["parent", "same_as"], fix: str
) -> list[Problem]:
    """Report each entry whose ``key`` names no entry; ``fix`` may name it as ``{id}``."""
    problems: list[Problem] = []
    for entry in entries.values():
        target = getattr(entry, key)
        if target is None or target in entries:
            continue
        message = (
            f"{_label(entry)} has {key} {target!r}, which is not in the gazetteer; "
            + fix.format(id=repr(target))
        )
        problems.append(_error(entry.file, entry.id, message))
    return problems


def _cycle_problems(gazetteer: Gazetteer) -> list[Problem]:
    """Report each parent cycle once, on the entry of the cycle with the smallest id."""
    return [_cycle(gazetteer, cycle) for cycle in parent_cycles(gazetteer)]


def _cycle(gazetteer: Gazetteer, cycle: list[str]) -> Problem:
    at = cycle.index(min(cycle))
    loop = " → ".join([*cycle[at:], *cycle[:at], cycle[at]])
    first = gazetteer[cycle[at]]
    message = (
        f"{_label(first)} is its own ancestor ({loop}); "
        "set the parent of one of them to the area that really contains it"
    )
    return _error(first.file, first.id, message)


# --- geometry ------------------------------------------------------------------------------


def _geometry_problems(gazetteer: Gazetteer, tolerance_m: float) -> list[Problem]:
    problems: list[Problem] = []
    for entry in gazetteer.values():
        if entry.geometry is None:
            continue
        problem = _invalid(entry, entry.geometry) or _outside(gazetteer, entry, tolerance_m)
        if problem is not None:
            problems.append(problem)
    return problems


def _invalid(entry: Entry, geometry: BaseGeometry) -> Problem | None:
    fault: str | None
    if geometry.is_empty:
        fault = "has an empty geometry; add its coordinates or set geometry to null"
    elif not _in_range(geometry):
        fault = (
            "has coordinates outside longitude -180..180 / latitude -90..90; "
            "write longitude first, then latitude"
        )
    else:
        fault = geometry_fault(geometry)
    if fault is None:
        return None
    return _error(entry.file, entry.id, f"{_label(entry)} {fault}")


def _in_range(geometry: BaseGeometry) -> bool:
    west, south, east, north = geometry.bounds
    return bool(-180 <= west <= east <= 180 and -90 <= south <= north <= 90)


def _outside(gazetteer: Gazetteer, entry: Entry, tolerance_m: float) -> Problem | None:
    """Report an entry whose point lies outside its nearest ancestor polygon."""
    polygons = (a for a in gazetteer.ancestors(entry.id) if _polygonal(a.geometry))
    area = next(polygons, None)
    if entry.geometry is None or area is None or area.geometry is None:
        return None
    if not shapely.is_valid(area.geometry):
        return None  # reported on the ancestor itself
    is_point = isinstance(entry.geometry, Point)
    point = entry.geometry if is_point else entry.geometry.point_on_surface()
    metres = _metres_outside(area.geometry, point)
    if metres <= tolerance_m:
        return None
    message = (
        f"{_label(entry)} {'lies' if is_point else 'has a point that lies'} {metres:.0f} m "
        f"outside its ancestor {area.id!r} ({area.name}); "
        f"{_datum_hint(area.geometry, point, entry.source_crs, tolerance_m)}"
    )
    return _error(entry.file, entry.id, message)


def _polygonal(geometry: BaseGeometry | None) -> bool:
    return geometry is not None and geometry.geom_type in _POLYGONAL


def _metres_outside(area: BaseGeometry, point: Point) -> float:
    if area.covers(point):
        return 0.0
    nearest = nearest_points(area, point)[0]
    return distance_m((point.x, point.y), (nearest.x, nearest.y))


def _datum_hint(area: BaseGeometry, point: Point, label: str, tolerance_m: float) -> str:
    """Say whether reading a WGS-84 point as GCJ-02 or BD-09 would put it inside the area."""
    for crs, name, convert in _DATUMS if _is_wgs84(label) else ():
        if _metres_outside(area, Point(convert(point.x, point.y))) <= tolerance_m:
            return (
                f"read as {name} it falls inside, so its coordinates are most likely {name} "
                f"labelled {label}; re-import its source with "
                f"`projectmap gazetteer import FILE --crs {crs}`"
            )
    return (
        "a few hundred metres off is the sign of GCJ-02 (AMap/Tencent) coordinates labelled "
        "WGS-84: if so, re-import the source with `projectmap gazetteer import FILE --crs gcj02`; "
        "otherwise correct its coordinates or its parent"
    )


def _is_wgs84(label: str) -> bool:
    try:
        return normalize_crs(label) == "wgs84"
    except CrsError:
        return False


# --- names ---------------------------------------------------------------------------------


def _name_problems(gazetteer: Gazetteer) -> list[Problem]:
    problems: list[Problem] = []
    for name in sorted(gazetteer.names()):
        entries = sorted(gazetteer.lookup(name), key=lambda e: (e.file, e.id))
        if len(entries) < 2:
            continue
        first = entries[0]
        listed = ", ".join(f"{e.id!r} ({e.type}, {e.file})" for e in entries)
        parents = {e.parent for e in entries}
        if None not in parents and len(parents) == len(entries):
            advice = (
                "their parents differ, so the resolver can choose by area; nothing to fix "
                "unless they are one place"
            )
        else:
            advice = (
                "the resolver cannot tell them apart by parent: if they are one place, keep one "
                "entry (with the others' names as aliases), otherwise give each the parent that "
                "contains it"
            )
        message = f"{first.file}: name {name!r} is shared by {len(entries)} entries: {listed}; "
        message += advice
        problems.append(Problem(first.file, first.id, "warning", message))
    return problems
