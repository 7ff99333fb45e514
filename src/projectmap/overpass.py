"""Ask an Overpass server for the named OpenStreetMap features inside an area."""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from projectmap._http import fetch
from projectmap.errors import FetchError

DEFAULT_OVERPASS_URL = "https://overpass-api.de/api/interpreter"
#: Environment variable that overrides :data:`DEFAULT_OVERPASS_URL`.
OVERPASS_URL_ENV = "PROJECTMAP_OVERPASS_URL"
#: The largest Overpass answer read (bytes): a county's named features are a few MB.
MAX_ANSWER = 200_000_000

#: The area is widened by this much (degrees, about 200 m) and simplified by half of it.
_MARGIN_DEG = 0.002

_NAMED = '[~"^name(:zh)?$"~"."]'


def overpass_query(
    area: BaseGeometry, *, timeout: int = 180, names: Iterable[str] | None = None
) -> str:
    """Build an Overpass QL query for the named nodes, ways and multipolygons in ``area``.

    A polygonal area is sent as ``poly:`` filters (widened a little and
    simplified, so the query stays short); any other geometry as its bounding box.

    Parameters
    ----------
    area : shapely geometry
        The area in WGS-84.
    timeout : int
        Seconds the server may spend on the query.
    names : iterable of str, optional
        Ask only for features whose ``name`` or ``name:zh`` is exactly one of these.
    """
    named = _NAMED
    if names is not None:
        wanted = sorted({n.strip() for n in names if n.strip()})
        if not wanted:
            raise FetchError("no names to ask Overpass for")
        named = '[~"^name(:zh)?$"~"^(' + "|".join(_ql_regex(n) for n in wanted) + ')$"]'
    statements = [
        f"  {kind}{named}{extra}({spatial});"
        for spatial in _spatial_filters(area)
        for kind, extra in (("node", ""), ("way", ""), ("relation", '["type"="multipolygon"]'))
    ]
    return "\n".join([f"[out:json][timeout:{timeout}];", "(", *statements, ");", "out geom;"])


def _ql_regex(name: str) -> str:
    """Escape a name for a regular expression inside an Overpass QL double-quoted string."""
    escaped = re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", name)
    return escaped.replace("\\", "\\\\").replace('"', '\\"')


def _spatial_filters(area: BaseGeometry) -> list[str]:
    if area.geom_type not in ("Polygon", "MultiPolygon"):
        west, south, east, north = area.bounds
        return [f"{south:.6f},{west:.6f},{north:.6f},{east:.6f}"]
    widened = area.buffer(_MARGIN_DEG).simplify(_MARGIN_DEG / 2)
    filters = []
    for part in shapely.get_parts(widened):
        ring = part.exterior.coords[:-1]
        filters.append('poly:"' + " ".join(f"{lat:.6f} {lon:.6f}" for lon, lat in ring) + '"')
    return filters


def fetch_overpass(
    query: str, *, url: str | None = None, timeout: float = 180.0, max_bytes: int = MAX_ANSWER
) -> Any:
    """POST ``query`` to an Overpass server and return the decoded JSON answer.

    Parameters
    ----------
    query : str
        Overpass QL asking for ``[out:json]``.
    url : str, optional
        The interpreter URL (http or https); by default ``$PROJECTMAP_OVERPASS_URL``
        or :data:`DEFAULT_OVERPASS_URL`.
    timeout : float
        Seconds for the whole exchange, answer included.
    max_bytes : int
        The largest answer accepted.

    Raises
    ------
    FetchError
        When the server cannot be reached, is too slow, sends too much, answers
        with an error or not with JSON.
    """
    url = url or os.environ.get(OVERPASS_URL_ENV) or DEFAULT_OVERPASS_URL
    body = urllib.parse.urlencode({"data": query}).encode("utf-8")
    answer = fetch(url, service="Overpass server", option="--overpass-url", data=body,
                   deadline=timeout, max_bytes=max_bytes)  # fmt: skip
    if answer.status != 200:
        raise FetchError(
            f"Overpass server {url} answered HTTP {answer.status} {answer.reason}; wait a "
            "minute and try again, or pass another server with --overpass-url"
        )
    return _decode(answer.body, url)


def _decode(body: bytes, url: str) -> Any:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(
            f"Overpass server {url} did not answer with JSON ({body[:60]!r}…); "
            "check the URL ends in /api/interpreter"
        ) from exc
    except RecursionError as exc:
        raise FetchError(f"Overpass server {url} answered with JSON nested too deeply") from exc
    remark = str(data.get("remark", "")) if isinstance(data, dict) else ""
    if "error" in remark.lower():
        raise FetchError(
            f"Overpass server {url} gave up: {remark.strip()}; try again later or raise --timeout"
        )
    return data
