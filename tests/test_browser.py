"""The map page in a real browser: Debian's chromium, driven by playwright, with no network.

Each test runs on two pages drawn from the sample: ``cdn`` links its scripts to
folium's CDNs, and the test answers those from folium-offline's copies; ``offline``
inlines them, and every request that leaves 127.0.0.1 is refused. Tile requests
are refused in both.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import CHROMIUM, HOSTILE_NAME, HOSTILE_SENTENCE  # and the `browser` fixture
from projectmap._mapassets import offline_asset
from projectmap.locate import BuildResult
from projectmap.render import map_html, render_map

TILE_HOSTS = {"tile.openstreetmap.org"}
LAYERS = [
    "下陆区 边界", "工业技改 (1)", "基础设施 (2)", "城市更新 (2)", "生态环境 (1)", "社会民生 (1)",
]  # fmt: skip

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
    (root / "cdn.html").write_text(map_html(m), encoding="utf-8")
    (root / "offline.html").write_text(map_html(m, offline=True), encoding="utf-8")
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


@pytest.fixture(params=["cdn", "offline"])
def visit(request: pytest.FixtureRequest, browser: Any, site: str) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    visit = Visit(page)
    page.on("pageerror", lambda error: visit.errors.append(f"page error: {error}"))
    page.on("console", lambda message: _console(message, visit))
    page.on("dialog", lambda dialog: (visit.dialogs.append(dialog.message), dialog.dismiss()))
    page.route("**/*", lambda route: _route(route, visit, cdn=request.param == "cdn"))
    page.goto(f"{site}/{request.param}.html")
    page.wait_for_selector(".pm-panel")
    yield visit
    context.close()


def overlay(page: Any, name: str) -> Any:
    return page.locator(".leaflet-control-layers-overlays label", has_text=name).locator("input")


def test_layer_control_lists_every_category_with_its_count(visit):
    labels = visit.page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == LAYERS
    visit.assert_clean()


def test_unticking_a_category_hides_its_pins_and_lines(visit):
    drawn = visit.page.locator(".leaflet-map-pane .pm-cat-infrastructure")
    assert drawn.count() == 2  # the road's line and the hostile project's pin
    overlay(visit.page, "基础设施 (2)").uncheck()
    assert drawn.count() == 0
    assert visit.page.locator(".leaflet-map-pane .pm-cat-industry").count() == 1
    overlay(visit.page, "基础设施 (2)").check()
    assert drawn.count() == 2
    visit.assert_clean()


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
    assert panel.locator(".pm-district .pm-link").all_text_contents() == ["全区智慧城市建设区县"]
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
