"""Fetch OpenStreetMap features from Overpass into the gazetteer: for an area or a report.

``fetch_osm("海拉尔区", …)`` asks for every named feature of the area;
``fetch_osm_from(outdir, …)`` asks only for the names a build left unresolved
or placed at district level, inside its region's outline. Either works for
any county of China with no prior step (see :mod:`projectmap.curate.areas`).
"""

from __future__ import annotations

from pathlib import Path

from projectmap.curate.areas import Area, find_area
from projectmap.curate.importer import ImportResult, import_entries, known_entries, with_previous
from projectmap.curate.osm import osm_entries, read_overpass
from projectmap.curate.overpass import fetch_overpass, overpass_query
from projectmap.errors import GazetteerError
from projectmap.places.needs import read_output


def fetch_osm(
    area: str, gazetteer: str | Path, *, url: str | None = None, timeout: float = 180.0
) -> ImportResult:
    """Fetch the named OpenStreetMap features of ``area`` and import them as ``osm-<id>``.

    Raises
    ------
    FetchError
        When the Overpass server cannot be reached, is too slow or answers badly.
    GazetteerError
        When ``area`` is neither a gazetteer entry with a polygon nor a Chinese admin unit.
    """
    found = find_area(known_entries(Path(gazetteer)), area)
    return _fetch(found, gazetteer, layer=f"osm-{found.entry.id}", url=url, timeout=timeout)


def fetch_osm_from(
    outdir: str | Path, gazetteer: str | Path, *, url: str | None = None, timeout: float = 180.0
) -> ImportResult:
    """Fetch the features a build's output still needs, inside its region, as ``osm-<id>-names``.

    The names are those of ``unresolved.csv`` and of the places placed at
    precision 3 or coarser in ``places.geojson``; the region is ``report.json``'s.
    What an earlier run for another report of the region found is kept.

    Raises
    ------
    FetchError, GazetteerError
        As :func:`fetch_osm`; also when the folder is not a build's output.
    """
    output = read_output(Path(outdir))
    found = find_area(known_entries(Path(gazetteer)), output.region_code)
    layer = f"osm-{found.entry.id}-names"
    return _fetch(found, gazetteer, layer=layer, url=url, timeout=timeout, names=output.names())


def _fetch(
    area: Area,
    gazetteer: str | Path,
    *,
    layer: str,
    url: str | None,
    timeout: float,
    names: list[str] | None = None,
) -> ImportResult:
    if area.entry.geometry is None:  # find_area guarantees a polygon
        raise GazetteerError(f"area {area.entry.id} has no polygon")
    seconds = max(1, round(timeout))
    query = overpass_query(area.entry.geometry, timeout=seconds, names=names)
    data = fetch_overpass(query, url=url, timeout=timeout)
    entries = osm_entries(read_overpass(data, where=f"Overpass answer for {area.entry.name}"))
    if names is not None:
        entries = with_previous(entries, gazetteer, layer)
    return import_entries(entries, gazetteer, layer=layer, within=area)
