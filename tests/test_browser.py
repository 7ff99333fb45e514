"""The map page in a real browser: Debian's chromium, driven by playwright, with no network.

Each test runs on two pages drawn from the sample: ``offline``, the default, inlines
every script and every request that leaves 127.0.0.1 is refused; ``cdn`` links its
scripts to folium's CDNs, and the test answers those from folium-offline's copies.
Tile requests are refused in both, as behind a firewall that blocks the tile servers.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from shapely.geometry import Point

from conftest import CHROMIUM, HOSTILE_NAME, HOSTILE_SENTENCE, ROOT  # and the `browser` fixture
from projectmap.output.map.elements import offline_asset
from projectmap.output.map.render import map_html, render_map
from projectmap.places.crs import from_wgs84
from projectmap.places.result import BuildResult

TILE_HOSTS = {"tile.openstreetmap.org", *(f"webrd0{n}.is.autonavi.com" for n in range(1, 5))}
LAYERS = [
    "下陆区 边界", "工业技改 (1)", "基础设施 (2)", "城市更新 (2)", "生态环境 (1)", "社会民生 (1)",
    "其他 (1, 0 on map)",
]  # fmt: skip
HOSTILE_LABEL = "工业<img src=x onerror=alert(5)>\"技改'"
BASES = ["OpenStreetMap", "仅轮廓（无底图）", "高德地图 AMap (GCJ-02)"]
CATEGORIES = ["industry", "infrastructure", "urban_renewal", "environment", "public_services",
              "other"]  # fmt: skip

# Skipped on a developer's machine without Chromium; in CI (CI=true) a missing browser fails.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's chromium: apt-get install -y chromium (make browser)",
)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Visit:
    """A page under test, with what went wrong on it."""

    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.dialogs == []


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, sample_result: BuildResult) -> Iterator[str]:
    root = tmp_path_factory.mktemp("site")
    m = render_map(sample_result)
    (root / "cdn.html").write_text(map_html(m, cdn=True), encoding="utf-8")
    (root / "offline.html").write_text(map_html(m), encoding="utf-8")
    projects = sample_result.projects.copy()
    projects.loc[projects["id"] == "p02", "category_label"] = HOSTILE_LABEL
    hostile = sample_result.with_frames(projects)
    (root / "hostile.html").write_text(map_html(render_map(hostile)), encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def _route(route: Any, visit: Visit, *, cdn: bool) -> None:
    url = route.request.url
    if urlsplit(url).hostname == "127.0.0.1":
        route.continue_()
        return
    visit.remote.append(url)
    asset = offline_asset(url) if cdn else None
    if asset is None:
        route.abort()
    else:
        route.fulfill(body=asset[0], content_type=asset[1])


def _console(message: Any, visit: Visit) -> None:
    if message.type != "error":
        return
    if urlsplit(message.location.get("url", "")).hostname in TILE_HOSTS:
        return  # a refused tile
    visit.errors.append(f"console: {message.text} at {message.location}")


def _open(browser: Any, site: str, kind: str, size: tuple[int, int]) -> tuple[Any, Visit]:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    visit = Visit(page)
    page.on("pageerror", lambda error: visit.errors.append(f"page error: {error}"))
    page.on("console", lambda message: _console(message, visit))
    page.on("dialog", lambda dialog: (visit.dialogs.append(dialog.message), dialog.dismiss()))
    page.route("**/*", lambda route: _route(route, visit, cdn=kind == "cdn"))
    page.goto(f"{site}/{kind}.html")
    page.wait_for_selector(".pm-panel")
    return context, visit


@pytest.fixture(params=["cdn", "offline"])
def visit(request: pytest.FixtureRequest, browser: Any, site: str) -> Iterator[Visit]:
    context, visit = _open(browser, site, request.param, (1280, 800))
    yield visit
    context.close()


@pytest.fixture
def phone(browser: Any, site: str) -> Iterator[Visit]:
    """The offline page on a 390 × 844 screen."""
    context, visit = _open(browser, site, "offline", (390, 844))
    yield visit
    context.close()


def overlay(page: Any, name: str) -> Any:
    return page.locator(".leaflet-control-layers-overlays label", has_text=name).locator("input")


def test_layer_control_lists_every_category_with_its_count(visit):
    labels = visit.page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == LAYERS
    bases = visit.page.locator(".leaflet-control-layers-base label").all_inner_texts()
    assert [label.strip() for label in bases] == BASES
    visit.assert_clean()


def _drawn(page: Any, category: str) -> Any:
    """Pins, clusters, lines, areas, circles and badges of a category, on the map."""
    return page.locator(f".leaflet-map-pane .pm-cat-{category}")


def _listed(page: Any, category: str) -> Any:
    return page.locator(f".pm-panel li[data-category={category}]:visible")


@pytest.mark.parametrize("category", CATEGORIES)
def test_unticking_a_category_hides_all_its_elements(visit, category):
    page = visit.page
    label = next(name for name in LAYERS[1:] if name.split(" (")[0] in _label_of(page, category))
    drawn, listed = _drawn(page, category).count(), _listed(page, category).count()
    assert drawn > 0 and listed > 0
    overlay(page, label).uncheck()
    assert _drawn(page, category).count() == 0
    assert _listed(page, category).count() == 0
    others = [c for c in CATEGORIES if c != category]
    assert all(_drawn(page, c).count() > 0 for c in others)
    overlay(page, label).check()
    assert _drawn(page, category).count() > 0  # a cluster may have regrouped its pins
    assert _listed(page, category).count() == listed
    visit.assert_clean()


def _label_of(page: Any, category: str) -> str:
    return page.locator(f".pm-section[data-category={category}] .pm-cat-head").inner_text()


def test_every_project_in_the_panel_opens_a_popup_with_its_sentence(visit, sample_result):
    page = visit.page
    sentences = dict(zip(sample_result.projects["name"], sample_result.projects["sentence"],
                         strict=True))  # fmt: skip
    links = page.locator(".pm-section:not(.pm-district) .pm-link")
    assert links.count() == len(sentences)
    for n in range(links.count()):
        name = links.nth(n).locator("span").first.inner_text()
        links.nth(n).click()
        popup = page.locator(".leaflet-popup-content")
        popup.locator("h3").filter(has_text=name).first.wait_for()
        assert popup.locator(".pm-sentence").first.inner_text() == sentences[name]
        page.locator(".leaflet-popup-close-button").click()
        popup.wait_for(state="detached")
    visit.assert_clean()


def test_a_district_level_project_opens_from_its_badge(visit):
    badge = visit.page.locator(".pm-badge-marker.pm-cat-other")
    assert "全区 1" in badge.inner_text()
    badge.click()
    popup = visit.page.locator(".leaflet-popup-content")
    assert popup.locator("h3").inner_text() == "全区智慧城市建设"
    assert "仅到区（下陆区）" in popup.inner_text()
    visit.assert_clean()


def test_the_close_button_is_clickable_with_the_layer_control_expanded(visit):
    page = visit.page
    assert page.locator(".leaflet-control-layers-expanded").count() == 1
    links = page.locator(".pm-section:not(.pm-district) .pm-link")
    for n in range(links.count()):
        links.nth(n).click()
        close = page.locator(".leaflet-popup-close-button")
        close.wait_for()
        page.wait_for_timeout(400)  # the map pans the popup into view
        box = close.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        top = f"document.elementFromPoint({x}, {y}).closest('.leaflet-popup-close-button')"
        assert page.evaluate(f"{top} !== null"), links.nth(n).inner_text()
        page.mouse.click(x, y)
        page.locator(".leaflet-popup").wait_for(state="detached")
    visit.assert_clean()


def test_offline_by_default_with_a_one_line_notice_and_everything_drawn(visit):
    page = visit.page
    notice = page.locator(".pm-notice")
    notice.wait_for(state="visible")
    box = notice.bounding_box()
    assert "底图瓦片无法加载" in notice.inner_text() and box["height"] < 30
    assert page.locator(".leaflet-overlay-pane path").count() >= 3  # outline, road, lake, areas
    assert page.locator(".pm-pin, .pm-cluster").count() >= 4
    assert page.locator(".pm-badge-marker").count() == 1
    visit.assert_clean()


def _pin_spot(page: Any) -> tuple[float, float]:
    box = page.locator(".pm-pin.pm-cat-industry").bounding_box()
    return box["x"], box["y"]


def test_amap_shifts_the_drawing_to_gcj02_and_back(visit):
    page = visit.page
    app = page.evaluate("Object.keys(window).find(k => k.startsWith('projectmap_app_'))")
    lat, lng = page.evaluate(f"{app}.gcj(30.175, 114.95)")
    shifted = from_wgs84(Point(114.95, 30.175), "gcj02")
    assert (lng, lat) == pytest.approx((shifted.x, shifted.y), abs=1e-9)
    before = _pin_spot(page)
    page.locator(".leaflet-control-layers-base label", has_text="AMap").locator("input").check()
    after = _pin_spot(page)
    assert after[0] > before[0] + 2 and after[1] > before[1] + 1  # east and south, some 500 m
    page.locator(".leaflet-control-layers-base label", has_text="仅轮廓").locator("input").check()
    assert _pin_spot(page) == pytest.approx(before, abs=0.5)
    visit.assert_clean()


def test_the_390px_layout_folds_the_panel_and_legend_and_leaves_the_map_usable(phone):
    page = phone.page
    assert page.locator(".pm-panel.pm-collapsed").count() == 1
    assert page.locator(".pm-legend.pm-collapsed").count() == 1
    assert _covered(page) <= 0.5
    page.locator(".pm-panel .pm-toggle").click()
    assert page.locator(".pm-panel .pm-body").is_visible()
    page.locator(".pm-link", has_text="团城山学校扩建").first.click()
    page.locator(".leaflet-popup-content h3", has_text="团城山学校扩建").wait_for()
    assert page.locator(".pm-panel.pm-collapsed").count() == 1  # folded again to show the popup
    page.locator(".leaflet-popup-close-button").click()
    page.locator(".leaflet-control-layers").hover()
    assert page.locator(".leaflet-control-layers-expanded").count() == 1
    phone.assert_clean()


def _covered(page: Any) -> float:
    """The share of the map, sampled on a grid, that controls cover."""
    return page.evaluate(
        """() => {
            const map = document.querySelector('.leaflet-container').getBoundingClientRect();
            let covered = 0, all = 0;
            for (let x = map.left + 5; x < map.right; x += 20) {
                for (let y = map.top + 5; y < map.bottom; y += 20) {
                    all += 1;
                    if (document.elementFromPoint(x, y).closest('.leaflet-control')) covered += 1;
                }
            }
            return covered / all;
        }"""
    )


def test_the_desktop_layout_leaves_most_of_the_map_free(visit):
    assert _covered(visit.page) <= 0.5


def test_a_hostile_category_label_shows_literally_in_the_layer_control(browser, site):
    context, visit = _open(browser, site, "hostile", (1280, 800))
    labels = visit.page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert f"{HOSTILE_LABEL} (1)" in [label.strip() for label in labels]
    assert visit.page.locator(".leaflet-control-layers img").count() == 0
    visit.assert_clean()
    context.close()


def test_the_fullscreen_button_fills_the_screen(visit):
    page = visit.page
    page.locator(".pm-fullscreen a").click()
    page.wait_for_function(
        "document.fullscreenElement !== null || "
        "document.querySelector('.leaflet-container').classList.contains('pm-fullscreen-on')"
    )
    visit.assert_clean()


def test_the_readme_picture_script_writes_a_screenshot(tmp_path, site):
    out = tmp_path / "map.png"
    page = tmp_path / "map.html"
    page.write_text(urlopen_text(f"{site}/offline.html"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshot.py"), str(page), str(out),
         "--size", "800x500"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000


def urlopen_text(url: str) -> str:
    from urllib.request import urlopen

    with urlopen(url) as response:
        return str(response.read().decode("utf-8"))


def test_clicking_a_pin_opens_its_popup_with_marked_places(visit):
    visit.page.locator(".pm-pin.pm-cat-industry").click()
    popup = visit.page.locator(".leaflet-popup-content")
    assert "大江环科年处理15万吨固废资源化利用项目" in popup.locator("h3").inner_text()
    assert popup.locator("mark").all_inner_texts() == ["大江环科"]
    assert "15万吨" in popup.inner_text() and "精确位置 · exact site" in popup.inner_text()
    visit.assert_clean()


def test_hostile_report_text_shows_literally_and_runs_nothing(visit):
    visit.page.locator(".pm-link", has_text="双千").first.click()
    popup = visit.page.locator(".leaflet-popup-content")
    popup.locator(".pm-sentence").wait_for()
    assert popup.locator("h3").inner_text() == HOSTILE_NAME
    assert popup.locator(".pm-sentence").inner_text() == HOSTILE_SENTENCE
    assert popup.locator("script, img, b").count() == 0
    assert visit.page.locator(".pm-unresolved img").count() == 0
    visit.assert_clean()


def test_search_finds_a_place(visit):
    visit.page.locator("input.search-input").fill("团城山")
    tips = visit.page.locator(".search-tip")
    tips.first.wait_for()
    assert "团城山地名" in tips.all_inner_texts()
    assert sum("团城山" in tip and tip.endswith("项目") for tip in tips.all_inner_texts()) == 3
    tips.filter(has_text="地名").click()
    place = visit.page.locator(".pm-place-popup .leaflet-popup-content")
    assert place.locator("h3").inner_text() == "团城山"
    assert place.locator(".pm-link").count() == 3
    visit.assert_clean()


def test_panel_zooms_to_a_clustered_project_and_opens_it(visit):
    visit.page.locator(".pm-link", has_text="团城山片城中村改造").click()
    popup = visit.page.locator(".leaflet-popup-content h3")
    popup.wait_for()
    assert popup.inner_text() == "团城山片城中村改造"
    visit.assert_clean()


def test_panel_lists_report_facts_every_project_and_unresolved_names(visit):
    panel = visit.page.locator(".pm-panel")
    head = panel.locator(".pm-head").inner_text()
    for fact in ("黄石市下陆区人民政府工作报告（2022年12月28日）", "下陆区", "2022-12-28",
                 "xialu-sample.txt"):  # fmt: skip
        assert fact in head
    assert panel.locator(".pm-section:not(.pm-district) .pm-link").count() == 8
    assert panel.locator(".pm-district .pm-link").all_text_contents() == ["全区智慧城市建设区"]
    names = panel.locator(".pm-unresolved .pm-name").all_inner_texts()
    assert names == ["老下陆片 ×2", "<img src=x onerror=alert(3)>片"]
    visit.assert_clean()


def test_only_tiles_are_requested_from_outside(visit, request):
    hosts = {urlsplit(url).hostname for url in visit.remote}
    if request.node.callspec.params["visit"] == "offline":
        assert hosts <= TILE_HOSTS
    else:
        assert hosts - TILE_HOSTS
    visit.assert_clean()
