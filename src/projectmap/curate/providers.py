"""The two place-search services ``geocode`` asks: their requests, answers and errors.

- **Tianditu 地名搜索 V2.0** (``api.tianditu.gov.cn/v2/search``): GET with
  ``postStr`` (a JSON object: ``keyWord``, ``queryType`` 12 for a search inside
  an admin area, ``specify`` its 9-digit code ``156`` + adcode, ``start``,
  ``count``), ``type=query`` and the key as ``tk``. A good answer has
  ``status.infocode`` 1000 and POIs with ``name``, ``lonlat`` ("lon,lat") and
  ``hotPointID``, in CGCS2000 (WGS-84 within about a metre). A refused key is
  an HTTP 401/403; an exhausted quota a refusal whose message says 超限.
- **AMap place text search** (``restapi.amap.com/v3/place/text``): GET with
  ``key``, ``keywords``, ``city`` (the adcode) and ``citylimit=true``. Every
  answer carries ``status`` ("1" good, "0" refused), ``info`` and ``infocode``
  (10001 INVALID_USER_KEY, 10003 DAILY_QUERY_OVER_LIMIT, 10004
  ACCESS_TOO_FREQUENT, …); POIs have ``id``, ``name``, ``location``
  ("lng,lat"), ``alias`` ("a|b") and ``type``, in GCJ-02.
"""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from projectmap.curate.http import Answer
from projectmap.errors import FetchError


class RetryLater(FetchError):
    """The service asks to slow down (HTTP 429 or 5xx, ACCESS_TOO_FREQUENT): try again."""


@dataclass(frozen=True)
class Hit:
    """One place a service returned, in the service's coordinate system."""

    id: str
    name: str
    aliases: tuple[str, ...]
    lon: float
    lat: float
    kind: str
    address: str


@dataclass(frozen=True)
class Provider:
    """How to ask one service and read its answers."""

    name: str
    label: str
    url: str
    crs: str
    source_crs: str
    licence: str
    key_env: str
    params: Callable[[str, str, str], dict[str, str]]
    hits: Callable[[Answer, str], list[Hit]]

    def request_url(self, base: str, name: str, adcode: str, key: str) -> str:
        """The full request URL (with the key: never log or store it)."""
        return f"{base}?{urllib.parse.urlencode(self.params(name, adcode, key))}"

    def cache_key(self, name: str, adcode: str) -> str:
        """What identifies a request in the cache: everything but the key."""
        params = self.params(name, adcode, "")
        return json.dumps({k: v for k, v in sorted(params.items()) if v}, ensure_ascii=False)


def _tianditu_params(name: str, adcode: str, key: str) -> dict[str, str]:
    post = {"keyWord": name, "queryType": "12", "specify": f"156{adcode}",
            "start": "0", "count": "20"}  # fmt: skip
    return {"postStr": json.dumps(post, ensure_ascii=False), "type": "query", "tk": key}


def _amap_params(name: str, adcode: str, key: str) -> dict[str, str]:
    return {"key": key, "keywords": name, "city": adcode, "citylimit": "true",
            "offset": "20", "page": "1", "extensions": "base", "output": "JSON"}  # fmt: skip


def _json(answer: Answer, label: str) -> Any:
    try:
        return json.loads(answer.body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FetchError(
            f"{label} did not answer with JSON (HTTP {answer.status}, {answer.body[:40]!r}…); "
            "check --url, or try again later"
        ) from exc


def _common_errors(answer: Answer, label: str) -> None:
    if answer.status == 429 or answer.status >= 500:
        raise RetryLater(f"{label} answered HTTP {answer.status} {answer.reason}")


def _tianditu_hits(answer: Answer, label: str) -> list[Hit]:
    _common_errors(answer, label)
    data = _json(answer, label)
    message = str(data.get("msg") or data.get("message") or "") if isinstance(data, dict) else ""
    if "超" in message or "limit" in message.lower():
        raise FetchError(f"{label}: the key's quota is used up ({message}); try again tomorrow")
    if answer.status in (401, 403):
        raise FetchError(f"{label} refused the key ({message or answer.reason}); check --key")
    status = data.get("status") if isinstance(data, dict) else None
    if not isinstance(status, dict) or str(status.get("infocode")) != "1000":
        raise FetchError(f"{label} answered with an error ({status or message!r:.80}); check --key")
    pois = data.get("pois") or []
    return [_tianditu_hit(poi, label) for poi in _list(pois, "pois", label)]


def _tianditu_hit(poi: Any, label: str) -> Hit:
    lon, lat = _lonlat(_field(poi, "lonlat", label).replace(" ", ","), label)
    return Hit(_field(poi, "hotPointID", label), _field(poi, "name", label), (), lon, lat,
               str(poi.get("typeName") or ""), str(poi.get("address") or ""))  # fmt: skip


#: AMap infocodes that mean "too many requests just now": back off and retry.
_AMAP_RETRY = frozenset({"10004", "10014", "10015", "10019", "10020", "10021"})
_AMAP_QUOTA = frozenset({"10003", "10044", "10045"})
_AMAP_KEY = frozenset({"10001", "10002", "10005", "10006", "10007", "10009", "10010", "10012"})


def _amap_hits(answer: Answer, label: str) -> list[Hit]:
    _common_errors(answer, label)
    data = _json(answer, label)
    if not isinstance(data, dict):
        raise FetchError(f"{label} answered with {type(data).__name__}, not an object")
    code, info = str(data.get("infocode") or ""), str(data.get("info") or "")
    if str(data.get("status")) != "1":
        if code in _AMAP_RETRY:
            raise RetryLater(f"{label}: {info} ({code})")
        if code in _AMAP_QUOTA:
            raise FetchError(f"{label}: the key's daily quota is used up ({info}, {code}); "
                             "try again tomorrow")  # fmt: skip
        fix = "check --key" if code in _AMAP_KEY else "see lbs.amap.com's error codes"
        raise FetchError(f"{label} refused the request: {info} ({code}); {fix}")
    return [_amap_hit(poi, label) for poi in _list(data.get("pois") or [], "pois", label)]


def _amap_hit(poi: Any, label: str) -> Hit:
    lon, lat = _lonlat(_field(poi, "location", label), label)
    alias = poi.get("alias")
    aliases = tuple(a for a in alias.split("|") if a) if isinstance(alias, str) else ()
    kind = poi.get("type")
    address = poi.get("address")
    return Hit(_field(poi, "id", label), _field(poi, "name", label), aliases, lon, lat,
               kind if isinstance(kind, str) else "",
               address if isinstance(address, str) else "")  # fmt: skip


def _list(value: Any, name: str, label: str) -> list[Any]:
    if not isinstance(value, list):
        raise FetchError(f"{label}: field {name!r} is {type(value).__name__}, not a list")
    return value


def _field(poi: Any, name: str, label: str) -> str:
    value = poi.get(name) if isinstance(poi, Mapping) else None
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
        raise FetchError(f"{label}: a result has no usable {name!r} ({value!r:.40})")
    return str(value).strip()


def _lonlat(text: str, label: str) -> tuple[float, float]:
    try:
        lon, lat = (float(part) for part in text.split(",")[:2])
    except ValueError as exc:
        raise FetchError(f"{label}: a result's position {text!r:.40} is not 'lon,lat'") from exc
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise FetchError(f"{label}: a result's position {text!r:.40} is out of range")
    return lon, lat


PROVIDERS = {
    "tianditu": Provider(
        name="tianditu",
        label="Tianditu place search",
        url="https://api.tianditu.gov.cn/v2/search",
        crs="wgs84",
        source_crs="CGCS2000",
        licence="Tianditu (天地图) service terms, lbs.tianditu.gov.cn; check them before sharing",
        key_env="PROJECTMAP_TIANDITU_KEY",
        params=_tianditu_params,
        hits=_tianditu_hits,
    ),
    "amap": Provider(
        name="amap",
        label="AMap place search",
        url="https://restapi.amap.com/v3/place/text",
        crs="gcj02",
        source_crs="GCJ-02",
        licence="AMap (高德) Web service terms, lbs.amap.com; check them before sharing",
        key_env="PROJECTMAP_AMAP_KEY",
        params=_amap_params,
        hits=_amap_hits,
    ),
}
