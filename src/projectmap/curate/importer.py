"""Import places from GeoJSON, CSV or OpenStreetMap into a layer of the gazetteer.

An import writes one file, ``<gazetteer>/imported/<layer>.geojson``, and
importing again replaces it. Every entry is WGS-84 (GCJ-02 and BD-09 input is
converted) and gets as parent the smallest admin polygon of the gazetteer that
contains it. :func:`fetch_osm` asks an Overpass server for an area's named
features and imports them the same way.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from projectmap.curate.areas import ADMIN_TYPES, Area, find_area, is_polygon
from projectmap.curate.osm import osm_entries, read_osm_file, read_overpass
from projectmap.curate.sources import Provenance, read_csv, read_geojson
from projectmap.errors import GazetteerError
from projectmap.places.crs import normalize_crs
from projectmap.places.gazetteer import (
    Entry,
    Gazetteer,
    read_entries,
    read_layers,
    write_entries,
)

_OSM_SUFFIXES = (".osm.pbf", ".osm.xml", ".osm.bz2", ".osm.gz", ".osm", ".pbf")
_SUFFIXES = (*_OSM_SUFFIXES, ".geojson", ".json", ".csv")
_POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote.

    Attributes
    ----------
    path : Path
        The layer file written.
    entries : tuple of Entry
        The entries written, sorted by id.
    skipped : mapping of str to int
        Features left out, by reason.
    skeleton : Path or None
        The admin skeleton written for a county the gazetteer lacked.
    """

    path: Path
    entries: tuple[Entry, ...]
    skipped: Mapping[str, int] = field(default_factory=dict)
    skeleton: Path | None = None

    def counts(self) -> dict[str, int]:
        """Return the number of entries of each type, most frequent first."""
        counts = Counter(e.type for e in self.entries)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def summary(self) -> str:
        """Return one line on what was imported, by type, and what was skipped."""
        by_type = ", ".join(f"{n} {kind}" for kind, n in self.counts().items())
        line = f"imported {len(self.entries)} features into {self.path}: {by_type}"
        merged = sum(e.same_as is not None for e in self.entries)
        if merged:
            line += f" ({merged} merged with the curated entry of the same name)"
        skipped = ", ".join(f"{n} {reason}" for reason, n in self.skipped.items())
        line = f"{line}; skipped {skipped}" if skipped else line
        return f"{line}; admin skeleton written to {self.skeleton}" if self.skeleton else line


def layer_name(text: str) -> str:
    """Return a file-safe layer name: ``hubei-latest.osm.pbf`` → ``hubei-latest``."""
    lowered = text.lower()
    suffix = next((s for s in _SUFFIXES if lowered.endswith(s)), "")
    stem = text[: len(text) - len(suffix)]
    return re.sub(r"[^\w.-]+", "-", stem).strip("-.") or "layer"


def import_file(
    path: str | Path,
    gazetteer: str | Path,
    *,
    crs: str = "wgs84",
    within: str | None = None,
    layer: str | None = None,
    source: str | None = None,
    licence: str | None = None,
) -> ImportResult:
    """Import a GeoJSON, CSV, OpenStreetMap or Overpass JSON file into the gazetteer.

    Parameters
    ----------
    path : str or Path
        ``.geojson``/``.json`` (a FeatureCollection or an Overpass answer),
        ``.csv`` (lon/lat/name columns), or ``.osm.pbf``/``.osm``.
    gazetteer : str or Path
        The gazetteer folder; the layer goes to ``imported/<layer>.geojson``.
    crs : str
        The CRS of the coordinates: ``wgs84``, ``gcj02`` or ``bd09``.
    within : str, optional
        Id or name of a gazetteer entry with a polygon: keep only the features
        that intersect it, and make it the parent when no admin polygon contains one.
    layer : str, optional
        The layer name; by default the file name without its suffix.
    source, licence : str, optional
        Provenance of GeoJSON/CSV features that do not carry their own
        (default: the file name, ``unknown``).

    Returns
    -------
    ImportResult
        The layer written and its entries. GeoJSON/CSV ids are ``<layer>/<id>``
        from an ``id`` property or column, else ``<layer>/<feature or line number>``;
        OpenStreetMap ids are ``osm/way/123`` and the like.

    Raises
    ------
    GazetteerError
        When the file cannot be read, ``within`` is not found, or nothing is left to import.
    """
    path = Path(path)
    name = layer_name(layer or path.name)
    provenance = Provenance(name, source or path.name, licence or "unknown", normalize_crs(crs))
    entries, unnamed = read_places(path, provenance)
    skipped = {"unnamed": unnamed} if unnamed else {}
    return import_entries(entries, gazetteer, layer=name, within=within, skipped=skipped)


def read_places(path: Path, provenance: Provenance) -> tuple[list[Entry], int]:
    """Read the entries of a place file, choosing the reader by suffix and content.

    Returns the entries (without parents unless the file sets them) and the
    number of unnamed features left out.
    """
    if not path.is_file():
        raise GazetteerError(f"{path}: no such file; check the path")
    lowered = path.name.lower()
    if lowered.endswith(_OSM_SUFFIXES):
        _require_wgs84(path, provenance)
        return osm_entries(read_osm_file(path)), 0
    if lowered.endswith(".csv"):
        return read_csv(path, provenance)
    if lowered.endswith((".geojson", ".json")):
        data = _read_json(path)
        if isinstance(data, dict) and "elements" in data:
            _require_wgs84(path, provenance)
            return osm_entries(read_overpass(data, where=str(path))), 0
        return read_geojson(data, provenance, where=str(path))
    raise GazetteerError(
        f"{path}: unknown kind of file; import .geojson, .json (Overpass), .csv, .osm.pbf or .osm"
    )


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise GazetteerError(f"{path}: cannot be read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise GazetteerError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from exc


def _require_wgs84(path: Path, provenance: Provenance) -> None:
    if provenance.crs != "wgs84":
        raise GazetteerError(f"{path}: OpenStreetMap data is WGS-84 already; drop --crs")


def import_entries(
    entries: Iterable[Entry],
    gazetteer: str | Path,
    *,
    layer: str,
    within: str | Area | None = None,
    skipped: Mapping[str, int] | None = None,
) -> ImportResult:
    """Place entries under their admin parents and write them as the layer ``layer``.

    Entries whose id another gazetteer file already uses are left out, so that
    the gazetteer keeps loading. An entry with a geometry that stands for a
    curated entry without one (same name, inside the same admin unit) is marked
    ``same_as`` it, and the two load as one. See :func:`import_file` for ``within``;
    when it names a county the gazetteer lacks, its skeleton is written too, as
    ``imported/china-<code>.geojson``.
    """
    directory = Path(gazetteer)
    target = directory / "imported" / f"{layer_name(layer)}.geojson"
    known = known_entries(directory, exclude=target)
    candidates = [_repaired(e) for e in entries]
    area = find_area(known, within) if isinstance(within, str) else within
    if area is None and (implied := _implied_area(candidates, known)):
        area = find_area(known, implied)
    if area is not None:
        known = known.merged(area.skeleton)
    counts = dict(skipped or {})
    if area is not None and area.entry.geometry is not None:
        inside = shapely.intersects(area.entry.geometry, _geometries(candidates))
        counts[f"outside {area.entry.name}"] = int(np.count_nonzero(~inside))
        candidates = [e for e, keep in zip(candidates, inside, strict=True) if keep]
    placed = _placed(candidates, known, fallback=area.entry.id if area else None)
    fresh = [e for e in placed if e.id not in known]
    counts["already in another gazetteer file"] = len(placed) - len(fresh)
    _require_unique(fresh, layer)
    if not fresh:
        where = f" inside {area.entry.name}" if area else ""
        raise GazetteerError(f"{layer}: no named features{where} to import; nothing written")
    fresh = same_as_curated(fresh, known)
    write_entries(target, fresh)
    skeleton = None
    if area is not None and area.skeleton:
        skeleton = directory / "imported" / f"china-{area.entry.id}.geojson"
        write_entries(skeleton, area.skeleton)
    kept = {reason: n for reason, n in counts.items() if n}
    return ImportResult(target, tuple(sorted(fresh, key=lambda e: e.id)), kept, skeleton)


def with_previous(entries: list[Entry], gazetteer: str | Path, layer: str) -> list[Entry]:
    """The entries, and those of the layer's earlier file that they do not replace.

    ``fetch-osm --from`` and ``geocode`` write one layer per region: a run for
    another report of the region adds to what an earlier run found.
    """
    path = Path(gazetteer) / "imported" / f"{layer_name(layer)}.geojson"
    if not path.is_file():
        return entries
    ids = {e.id for e in entries}
    return [*entries, *(e for e in read_entries(path) if e.id not in ids)]


def same_as_curated(entries: list[Entry], known: Gazetteer) -> list[Entry]:
    """Mark each entry with a geometry ``same_as`` the one curated entry it stands for.

    The curated entry has the entry's name (or has it as an alias), no geometry,
    is no admin unit, and lies inside the entry's parent or holds it (a road of
    the district, found in one of its townships); it must be the only
    such entry, and the entry the only one of the import that claims it.
    """
    claims: dict[str, list[int]] = {}
    for number, entry in enumerate(entries):
        if entry.geometry is None or entry.parent is None or entry.type in ADMIN_TYPES:
            continue
        curated = [
            c for c in known.lookup(entry.name)
            if c.geometry is None and c.type not in ADMIN_TYPES
            and _same_area(known, c, entry.parent)
        ]  # fmt: skip
        if len(curated) == 1:
            claims.setdefault(curated[0].id, []).append(number)
    marked = list(entries)
    for curated_id, numbers in claims.items():
        if len(numbers) == 1:
            marked[numbers[0]] = dataclasses.replace(entries[numbers[0]], same_as=curated_id)
    return marked


def _implied_area(entries: list[Entry], known: Gazetteer) -> str | None:
    """The admin code all entries name as parent, when the gazetteer lacks it (a patch)."""
    parents = {e.parent for e in entries}
    code = parents.pop() if len(parents) == 1 else None
    return code if code and code.isdigit() and code not in known else None


def _same_area(known: Gazetteer, curated: Entry, parent: str) -> bool:
    if known.is_within(curated.id, parent):
        return True
    holder = curated.parent
    return holder is not None and parent in known and known.is_within(parent, holder)


def known_entries(directory: Path, *, exclude: Path | None = None) -> Gazetteer:
    """Load the gazetteer as imports see it.

    The layer being replaced (``exclude``) is left out, repeated ids are
    tolerated, and a folder that does not exist yet is an empty gazetteer.
    """
    if not directory.exists():
        return Gazetteer([])
    layers = read_layers(directory, exclude=exclude)
    return Gazetteer(entry for layer in layers for entry in layer.require())


def _geometries(entries: list[Entry]) -> np.ndarray:
    return np.array([e.geometry for e in entries], dtype=object)


def _repaired(entry: Entry) -> Entry:
    geometry = entry.geometry
    if geometry is None or geometry.geom_type not in _POLYGONAL or geometry.is_valid:
        return entry
    return dataclasses.replace(entry, geometry=shapely.make_valid(geometry, method="structure"))


def _placed(entries: list[Entry], gazetteer: Gazetteer, *, fallback: str | None) -> list[Entry]:
    """Give each entry without a parent the smallest admin polygon containing its point."""
    admins = [e for e in gazetteer.values() if e.type in ADMIN_TYPES and is_polygon(e)]
    admins = [e for e in admins if e.geometry is not None and e.geometry.is_valid]
    tree = shapely.STRtree(_geometries(admins))
    placed = []
    for entry in entries:
        if entry.parent is None and entry.geometry is not None:
            hits = tree.query(entry.geometry.point_on_surface(), predicate="intersects")
            best = min((admins[i] for i in hits), key=_area, default=None)
            entry = dataclasses.replace(entry, parent=best.id if best else fallback)
        placed.append(entry)
    return placed


def _area(entry: Entry) -> float:
    return entry.geometry.area if entry.geometry is not None else 0.0


def _require_unique(entries: list[Entry], layer: str) -> None:
    repeated = sorted(i for i, n in Counter(e.id for e in entries).items() if n > 1)
    if repeated:
        raise GazetteerError(
            f"{layer}: ids {', '.join(repeated)} appear more than once; "
            "give every feature its own id property (or none, to number them)"
        )
