"""Placing by hand in map.html, in Chromium with no network: place, download, import, rebuild.

The page is the sample's own ``map.html`` (offline build). Every place it lists
is placed (one line, one polygon, the rest points); the downloaded patch is
imported; the rebuilt sample has every gold place at precision 1 or 2.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import CHROMIUM, DATA, GAZETTEER, SAMPLE
from eval_score import score
from projectmap.cli import main
from projectmap.output.map.handplace import places_to_place
from projectmap.pipeline import BuildOptions, build_to_folder
from projectmap.places.crs import distance_m, gcj02_to_wgs84
from projectmap.places.gazetteer import load_gazetteer

#: The first place is drawn as a line, the second as a polygon, the others as points.
KINDS = {0: ("line", 2), 1: ("polygon", 3)}
GOLD = json.loads((DATA / "eval" / "seed-gold.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's chromium: apt-get install -y chromium (make browser)",
)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _site(root: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _build(gazetteer: Path, out: Path, basemap: str = "osm") -> None:
    options = BuildOptions(gazetteer=gazetteer, basemap=basemap)
    build_to_folder(SAMPLE, out, options=options)


def _open(browser: Any, url: str, errors: list[str]) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).hostname == "127.0.0.1"
            else route.abort()
        ),
    )
    page.goto(url)
    page.wait_for_selector(".pm-place-box")
    page.locator(".pm-place-title").click()
    return page


def _click_map(page: Any, lonlat: tuple[float, float], dx: float = 0, dy: float = 0) -> None:
    """Click the map dx, dy pixels away from where ``lonlat`` (in the map's datum) is drawn."""
    point = page.evaluate(
        """([lon, lat]) => {
            const map = window[document.querySelector(".folium-map").id];
            const p = map.latLngToContainerPoint([lat, lon]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        list(lonlat),
    )
    page.mouse.click(point[0] + dx, point[1] + dy)


def _download(page: Any, target: Path) -> Path:
    with page.expect_download() as info:
        page.locator(".pm-place-download").click()
    info.value.save_as(target)
    return target


def test_place_download_import_rebuild_gives_precise_places(browser: Any, tmp_path: Path) -> None:
    gazetteer = tmp_path / "gazetteer"
    shutil.copytree(GAZETTEER, gazetteer)
    out = tmp_path / "out"
    _build(gazetteer, out)
    assert score(GOLD, out)["place_precise"] < 0.5
    anchor = load_gazetteer(gazetteer)["420204"].geometry.representative_point().coords[0]
    errors: list[str] = []
    with _site(tmp_path) as site:
        page = _open(browser, f"{site}/out/map.html", errors)
        rows = page.locator(".pm-place-row")
        names = page.locator(".pm-place-row .pm-place-name").all_inner_texts()
        assert len(names) == rows.count() >= 10
        for number in range(rows.count()):
            row = rows.nth(number)
            row.locator(".pm-place-it").click()
            kind, clicks = KINDS.get(number, ("point", 1))
            row.locator(f".pm-place-{kind}").click()
            for vertex in range(clicks):
                _click_map(
                    page,
                    anchor,
                    dx=(number % 6) * 12 + vertex * 20,
                    dy=(number // 6) * 12 + (vertex == 2) * 20,
                )
            if kind != "point":
                row.locator(".pm-place-finish").click()
            assert row.locator(".pm-place-state").inner_text() == f"✓ {kind}"
        patch = json.loads(_download(page, tmp_path / "patch.geojson").read_text("utf-8"))
    assert errors == []
    features = patch["features"]
    assert len(features) == len(names)
    assert [f["geometry"]["type"] for f in features[:3]] == ["LineString", "Polygon", "Point"]
    props = features[0]["properties"]
    assert props["source"] == "placed by hand in map.html (xialu-2022-excerpt.txt)"
    assert props["source_crs"] == "WGS-84" and props["parent"] == "420204"
    assert props["notes"].startswith("mention: ") and "; sentence: " in props["notes"]
    assert main(["gazetteer", "import", str(tmp_path / "patch.geojson"),
                 "--gazetteer", str(gazetteer)]) == 0  # fmt: skip
    _build(gazetteer, out)
    assert score(GOLD, out)["place_precise"] == 1.0
    projects = json.loads((out / "projects.geojson").read_text(encoding="utf-8"))["features"]
    placed = [f for f in projects if f["properties"]["places"]]
    assert placed and {f["properties"]["precision"] for f in placed} <= {1, 2}
    assert sum(f["properties"]["precision"] == 1 for f in placed) > len(placed) // 2


def test_a_point_placed_over_amap_tiles_is_saved_in_wgs84(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(GAZETTEER, out, basemap="amap")
    errors: list[str] = []
    with _site(tmp_path) as site:
        page = _open(browser, f"{site}/out/map.html", errors)
        row = page.locator(".pm-place-row").first
        row.locator(".pm-place-it").click()
        row.locator(".pm-place-point").click()
        _click_map(page, (114.98, 30.19))
        shown = page.evaluate(
            """() => { const m = window[document.querySelector(".folium-map").id];
                       let ll = null;
                       m.eachLayer(l => { if (l.options && l.options.className === "pm-placed")
                                          { ll = l.getLatLng(); } });
                       return [ll.lng, ll.lat]; }"""
        )
        patch = json.loads(_download(page, tmp_path / "patch.geojson").read_text("utf-8"))
    assert errors == []
    (feature,) = patch["features"]
    assert feature["properties"]["source_crs"] == "GCJ-02"
    saved = tuple(feature["geometry"]["coordinates"])
    assert distance_m(saved, gcj02_to_wgs84(*shown)) < 1
    assert distance_m(saved, tuple(shown)) > 300  # the GCJ-02 shift near 黄石 is about 580 m


def test_every_imprecise_place_is_listed(sample_build) -> None:
    listed = places_to_place(sample_build)
    places = sample_build.places
    coarse = places[places["precision"].isna() | (places["precision"] >= 3)]
    assert {p["name"] for p in listed} == set(coarse["name"].fillna(coarse["mention"]))
    assert sum(p["count"] for p in listed) == len(coarse)
    assert all(p["sentence"] and p["mention"] for p in listed)
