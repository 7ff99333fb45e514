"""Shared fixtures: a small hand-made build result to draw and check.

``build_sample_result()`` builds it afresh (tests that change it); the session
fixture ``sample_result`` shares one. Import the builder with
``from conftest import build_sample_result``.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, Polygon

from projectmap.places.gazetteer import Entry
from projectmap.places.result import PLACE_FIELDS, PRECISION_LABELS, PROJECT_FIELDS, BuildResult
from projectmap.reading.ingest import Report

#: A sentence built to break naive HTML or JS string building.
HOSTILE_SENTENCE = (
    "推进长乐山“双千”工程<script>alert(1)</script>，含'单引号'、\"双引号\"、`反引号${x}`、"
    "反斜杠\\1\\u0041\\ 与 </script><img src=x onerror=alert(2)>。"
)
HOSTILE_NAME = '长乐山"双千"工程`x` <b>\\0</b>'
TUANCHENGSHAN = Point(115.02868, 30.20192)


def _region() -> Entry:
    outline = Polygon([
        (114.90, 30.16), (114.98, 30.158), (115.06, 30.16), (115.062, 30.20),
        (115.06, 30.23), (114.98, 30.232), (114.90, 30.23), (114.898, 30.20),
    ])  # fmt: skip
    return Entry(id="420204", name="下陆区", type="admin", parent="420200",
                 geometry=outline, admin_level=3, code="420204", source="test")  # fmt: skip


def _project(pid: str, name: str, category: str, label: str, precision: int | None,
             geometry: object, places: list[str], sentence: str,
             **extra: object) -> dict:  # fmt: skip
    row = {
        "id": pid, "name": name, "category": category, "category_label": label,
        "status": extra.get("status", "under_construction"), "amount": extra.get("amount"),
        "section": extra.get("section", "（二）聚力项目建设"), "sentence": sentence,
        "places": places, "place_ids": [f"g-{p}" for p in places], "precision": precision,
        "precision_label": PRECISION_LABELS.get(precision or 0), "start": 0,
        "end": len(sentence), "geometry": geometry,
    }  # fmt: skip
    return row


def _projects() -> gpd.GeoDataFrame:
    road = LineString([(114.93, 30.185), (114.96, 30.19), (114.99, 30.192)])
    lake = Polygon([(115.03, 30.19), (115.05, 30.19), (115.05, 30.21), (115.03, 30.21)])
    rows = [
        _project("p01", "安达路改造工程", "infrastructure", "基础设施", 1, road, ["安达路"],
                 "加快安达路改造工程，打通团城山片交通微循环。", status="starting"),
        _project("p02", "大江环科年处理15万吨固废资源化利用项目", "industry", "工业技改", 1,
                 Point(114.95, 30.175), ["大江环科"],
                 "推动大江环科年处理15万吨固废资源化利用项目投产。", amount="15万吨"),
        _project("p03", "团城山片老旧小区改造", "urban_renewal", "城市更新", 2, TUANCHENGSHAN,
                 ["团城山"], "实施团城山片老旧小区改造。", amount="1.2亿元"),
        _project("p04", "团城山片城中村改造", "urban_renewal", "城市更新", 2, TUANCHENGSHAN,
                 ["团城山"], "启动团城山片城中村改造。", status="planned"),
        _project("p05", "团城山学校扩建", "public_services", "社会民生", 2, TUANCHENGSHAN,
                 ["团城山"], "扩建团城山学校。", status="completed"),
        _project("p06", "磁湖西岸生态修复", "environment", "生态环境", 1, lake, ["磁湖西"],
                 "完成磁湖西岸生态修复。", status="completed"),
        _project("p07", "全区智慧城市建设", "other", "其他", 3, None, [],
                 "推进全区智慧城市建设。", status="unknown"),
        _project("p08", HOSTILE_NAME, "infrastructure", "基础设施", 1, Point(114.985, 30.215),
                 ["长乐山"], HOSTILE_SENTENCE, amount="3.5亿元"),
    ]  # fmt: skip
    return gpd.GeoDataFrame(rows, columns=[*PROJECT_FIELDS, "geometry"], geometry="geometry",
                            crs="EPSG:4326")  # fmt: skip


def _place(pid: str, mention: str, gid: str | None, kind: str | None, precision: int | None,
           geometry: object, projects: list[str], reason: str) -> dict:  # fmt: skip
    return {
        "id": pid, "mention": mention, "name": mention if gid else None, "gazetteer_id": gid,
        "type": kind, "precision": precision,
        "precision_label": PRECISION_LABELS.get(precision or 0),
        "reason": reason, "explanation": "", "project_ids": projects, "sentence": "",
        "start": 0, "end": len(mention), "geometry": geometry,
    }  # fmt: skip


def _places() -> gpd.GeoDataFrame:
    rows = [
        _place("m01", "安达路", "g-安达路", "road", 1,
               LineString([(114.93, 30.185), (114.99, 30.192)]), ["p01"], "unique name"),
        _place("m02", "团城山", "420204/团城山街道", "township", 2, TUANCHENGSHAN,
               ["p03", "p04", "p05"], "unique name"),
        _place("m03", "磁湖西", "g-磁湖", "lake", 1,
               Polygon([(115.03, 30.19), (115.05, 30.19), (115.05, 30.21)]), ["p06"],
               "derived from a parent feature"),
        _place("m04", "长乐山", "g-长乐山", "mountain", 1, Point(114.985, 30.215), ["p08"],
               "only candidate inside the issuing district"),
        _place("m05", "老下陆片", None, None, None, None, ["p07"], "not in gazetteer"),
        _place("m06", "<img src=x onerror=alert(3)>片", None, None, None, None, [],
               "not in gazetteer"),
        _place("m07", "老下陆片", None, None, None, None, [], "not in gazetteer"),
    ]  # fmt: skip
    return gpd.GeoDataFrame(rows, columns=[*PLACE_FIELDS, "geometry"], geometry="geometry",
                            crs="EPSG:4326")  # fmt: skip


def build_sample_result() -> BuildResult:
    """A small build result: every precision, a shared place, hostile text, unresolved names."""
    text = "黄石市下陆区人民政府工作报告\n" + "\n".join(_projects()["sentence"])
    report = Report(id="sample", text=text, title="黄石市下陆区人民政府工作报告（2022年12月28日）",
                    date="2022-12-28", source="xialu-sample.txt")  # fmt: skip
    return BuildResult.from_frames(report, _region(), _projects(), _places())


@pytest.fixture(scope="session")
def sample_result() -> BuildResult:
    """One shared :func:`build_sample_result`; do not modify it."""
    return build_sample_result()


# --- fixtures over the real gazetteer and the sample report (expensive: session-scoped) ---

from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "xialu-2022-excerpt.txt"
GAZETTEER = ROOT / "gazetteer"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def toolkit():
    """Gazetteer, admin index, rules and a jieba tokenizer, loaded once."""
    from projectmap.pipeline import BuildOptions, Toolkit

    return Toolkit.load(BuildOptions(gazetteer=GAZETTEER))


@pytest.fixture(scope="session")
def sample_build(toolkit):
    """The sample report built with the shipped gazetteer."""
    from projectmap.pipeline import BuildOptions, build

    return build(SAMPLE, options=BuildOptions(gazetteer=GAZETTEER), toolkit=toolkit)


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory, toolkit):
    """The sample report's output folder, as `projectmap build` writes it."""
    from projectmap.pipeline import BuildOptions, build_to_folder

    out = tmp_path_factory.mktemp("sample") / "xialu"
    build_to_folder(SAMPLE, out, options=BuildOptions(gazetteer=GAZETTEER), toolkit=toolkit)
    return out


# --- the browser (playwright allows one sync session per process: share it) -------------

from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, driven by playwright, for every browser test of the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
