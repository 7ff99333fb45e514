"""Look a build's imprecise places up in Tianditu or AMap and import what matches.

For every name of ``unresolved.csv`` and every place placed at precision 3 or
coarser, the service is asked inside the region (its admin code); a result is
kept only when it lies inside the region's outline and is called exactly the
mention's name (or has it as an alias), as the resolver would match it. GCJ-02
results are converted to WGS-84. The layer is ``imported/<provider>-<code>.geojson``.

The service is treated gently: requests are spaced by ``rate``, refused ones
retried with a doubling back-off, answers kept in an on-disk cache (so a rerun
costs no quota) and the whole run has one deadline. The key is sent, never
stored: not in the layer, not in the cache, not in an error message.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from shapely.geometry import Point

from projectmap.curate.areas import Area, find_area
from projectmap.curate.http import Answer, check_url, fetch
from projectmap.curate.importer import ImportResult, import_entries, known_entries, with_previous
from projectmap.curate.providers import PROVIDERS, Hit, Provider, RetryLater
from projectmap.errors import FetchError, GazetteerError, UsageError
from projectmap.files.safe import write_bytes_atomic
from projectmap.places.crs import to_wgs84
from projectmap.places.gazetteer import Entry
from projectmap.places.needs import read_output, type_from_name

_MAX_ANSWER = 4_000_000


@dataclass(frozen=True)
class GeocodeOptions:
    """How to ask: provider, key, where, how fast, how often, how long in all."""

    provider: str
    key: str
    url: str | None = None
    rate: float = 2.0
    retries: int = 3
    backoff: float = 1.0
    timeout: float = 300.0
    cache: Path | None = None


@dataclass(frozen=True)
class Refusal:
    """A result left out, and why."""

    query: str
    name: str
    reason: str


@dataclass(frozen=True)
class GeocodeResult:
    """What a geocode run imported, refused and did not find."""

    imported: ImportResult
    refused: tuple[Refusal, ...] = ()
    not_found: tuple[str, ...] = ()
    asked: int = 0
    cached: int = 0

    def summary(self) -> str:
        """A few lines: the import, the requests, what was refused and not found."""
        asked = f"  {self.asked} requests sent, {self.cached} answered from the cache"
        lines = [self.imported.summary(), asked]
        lines += [f"  refused {r.name} for {r.query}: {r.reason}" for r in self.refused]
        if self.not_found:
            lines.append(f"  not found: {'、'.join(self.not_found)}")
        return "\n".join(lines)


@dataclass
class _Session:
    """One run's budget and counts (a run's own state, not a global)."""

    provider: Provider
    options: GeocodeOptions
    base: str
    end: float
    last: float = 0.0
    asked: int = 0
    cached: int = 0
    pending: dict[Path, bytes] = field(default_factory=dict)


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/projectmap/geocode`` (``~/.cache/…`` when unset)."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "projectmap" / "geocode"


def geocode(outdir: str | Path, gazetteer: str | Path, options: GeocodeOptions) -> GeocodeResult:
    """Ask the service for a build's imprecise places and import the matching results.

    Raises
    ------
    FetchError
        For a refused key, an exhausted quota, a slow server or an answer that
        is not JSON; nothing is written then.
    GazetteerError, InputError
        When the output folder or the gazetteer cannot be used, or nothing matched.
    """
    provider = _provider(options)
    output = read_output(Path(outdir))
    area = find_area(known_entries(Path(gazetteer)), output.region_code)
    session = _Session(provider, options, options.url or provider.url,
                       time.monotonic() + options.timeout)  # fmt: skip
    check_url(session.base, option="--url")
    entries: dict[str, Entry] = {}
    refused: list[Refusal] = []
    not_found: list[str] = []
    for name in output.names():
        kept, left_out = _matching(_ask(session, name, output.region_code), name, area, provider)
        for hit in kept:
            entry = _entry(hit, name, provider, output.region_code)
            entries.setdefault(entry.id, entry)
        refused += left_out
        if not kept:
            not_found.append(name)
    if not entries:
        raise GazetteerError(
            f"{provider.label}: no result matched a name inside {area.entry.name} "
            f"({len(refused)} refused); nothing written"
        )
    layer = f"{provider.name}-{output.region_code}"
    found = with_previous(list(entries.values()), gazetteer, layer)
    imported = import_entries(found, gazetteer, layer=layer, within=area)
    _write_cache(session)
    return GeocodeResult(imported, tuple(refused), tuple(not_found), session.asked, session.cached)


def _provider(options: GeocodeOptions) -> Provider:
    if options.provider not in PROVIDERS:
        raise UsageError(f"unknown provider {options.provider!r}; use tianditu or amap")
    if not options.key.strip():
        provider = PROVIDERS[options.provider]
        raise UsageError(f"no key for {provider.label}; pass --key KEY or set {provider.key_env}")
    if not (options.rate > 0 and options.retries >= 0 and 0 < options.timeout < 86_400):
        raise UsageError("--rate and --timeout must be positive and --retries at least 0")
    return PROVIDERS[options.provider]


def _ask(session: _Session, name: str, adcode: str) -> list[Hit]:
    """The service's results for one name: from the cache, else asked with retries."""
    provider = session.provider
    path = _cache_path(session, name, adcode)
    if path is not None and path.is_file():
        session.cached += 1
        answer = Answer(200, "OK", "application/json", path.read_bytes())
        return provider.hits(answer, provider.label)
    for attempt in range(session.options.retries + 1):
        answer = _request(session, name, adcode)
        try:
            hits = provider.hits(answer, provider.label)
        except RetryLater as exc:
            if attempt == session.options.retries:
                raise FetchError(f"{exc}; lower --rate or try again later") from exc
            _sleep(session, session.options.backoff * 2**attempt)
            continue
        if path is not None:
            session.pending[path] = answer.body
        return hits
    raise FetchError(f"{provider.label}: no answer after {session.options.retries} retries")


def _request(session: _Session, name: str, adcode: str) -> Answer:
    _sleep(session, session.last + 1 / session.options.rate - time.monotonic())
    remaining = session.end - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"{session.provider.label} took longer than --timeout "
                         f"{session.options.timeout:g} s in all; nothing written")  # fmt: skip
    url = session.provider.request_url(session.base, name, adcode, session.options.key)
    session.asked += 1
    session.last = time.monotonic()
    return fetch(url, service=session.provider.label, option="--url",
                 deadline=min(remaining, 60.0), max_bytes=_MAX_ANSWER)  # fmt: skip


def _sleep(session: _Session, seconds: float) -> None:
    if seconds > 0:
        if time.monotonic() + seconds > session.end:
            raise FetchError(f"{session.provider.label} is too slow for --timeout "
                             f"{session.options.timeout:g} s; nothing written")  # fmt: skip
        time.sleep(seconds)


def _cache_path(session: _Session, name: str, adcode: str) -> Path | None:
    if session.options.cache is None:
        return None
    request = f"{session.base}\n{session.provider.cache_key(name, adcode)}"
    digest = hashlib.sha256(request.encode("utf-8")).hexdigest()[:32]
    return session.options.cache / session.provider.name / f"{digest}.json"


def _write_cache(session: _Session) -> None:
    for path, body in session.pending.items():
        write_bytes_atomic(path, body)


def _matching(
    hits: list[Hit], name: str, area: Area, provider: Provider
) -> tuple[list[Hit], list[Refusal]]:
    """The hits called ``name`` inside the area; the others with the reason they were refused."""
    outline = area.entry.geometry
    kept: list[Hit] = []
    refused: list[Refusal] = []
    for hit in hits:
        point = to_wgs84(Point(hit.lon, hit.lat), provider.crs)
        if name != hit.name and name not in hit.aliases:
            refused.append(Refusal(name, hit.name, "another name"))
        elif outline is None or not outline.covers(point):
            refused.append(Refusal(name, hit.name, f"outside {area.entry.name}"))
        elif all(k.id != hit.id for k in kept):
            kept.append(hit)
    return kept, refused


def _entry(hit: Hit, name: str, provider: Provider, adcode: str) -> Entry:
    today = datetime.date.today().isoformat()
    notes = "; ".join(p for p in (hit.address, hit.kind) if p)
    converted = "; converted from GCJ-02 to WGS-84 by projectmap" if provider.crs == "gcj02" else ""
    return Entry(
        id=f"{provider.name}-{adcode}/{hit.id}",
        name=hit.name,
        type=type_from_name(hit.name),
        aliases=tuple(a for a in hit.aliases if a != hit.name),
        geometry=to_wgs84(Point(hit.lon, hit.lat), provider.crs),
        source=f"{provider.label} ({provider.name} id {hit.id}), query {name!r} in {adcode}, "
        f"{today}{converted}",
        licence=provider.licence,
        source_crs=provider.source_crs,
        notes=notes,
    )


__all__ = ["GeocodeOptions", "GeocodeResult", "Refusal", "default_cache", "geocode"]
