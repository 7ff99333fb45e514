"""geocode against local fakes of Tianditu and AMap, answering in their documented formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from shapely.geometry import Point, Polygon

from fake_http import Reply, Request, serve
from projectmap.cli import main
from projectmap.curate.geocode import GeocodeOptions, geocode
from projectmap.places import china
from projectmap.places.crs import distance_m, wgs84_to_gcj02
from projectmap.places.gazetteer import read_entries
from test_fetch import HAILAER_REPORT

KEY = "sekrit-key-123"


@pytest.fixture(scope="module")
def truth() -> dict[str, Point]:
    """WGS-84 positions inside 海拉尔区 for the fakes to answer with, and one outside."""
    entries = china.skeleton(["150702"], china.AdminIndex.load())
    outline: Polygon = next(e for e in entries if e.id == "150702").geometry
    x, y = outline.representative_point().coords[0]
    points = {"海拉尔热电厂": Point(x + 0.003, y + 0.004), "正阳街": Point(x - 0.004, y),
              "outside": Point(117.43, 49.59)}  # fmt: skip
    assert outline.contains(points["海拉尔热电厂"]) and not outline.contains(points["outside"])
    return points


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small 海拉尔区 report built with no gazetteer folder: everything at precision 3."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    (tmp_path / "report.txt").write_text(HAILAER_REPORT, encoding="utf-8")
    assert main(["build", "report.txt", "-o", "out"]) == 0
    return tmp_path


def _pois(truth: dict[str, Point], name: str) -> list[tuple[str, str, Point]]:
    """What the fake services know: (id, name, WGS-84 point) for a keyword."""
    known = {
        "海拉尔热电厂": [("P1", "海拉尔热电厂", truth["海拉尔热电厂"]),
                   ("P2", "海拉尔热电厂家属院", truth["海拉尔热电厂"])],
        "正阳街": [("P3", "正阳街", truth["正阳街"])],
        "海拉尔河": [("P4", "海拉尔河", truth["outside"])],
    }  # fmt: skip
    return known.get(name, [])


def tianditu(truth: dict[str, Point], *, error: Reply | None = None) -> Callable[[Request], Reply]:
    def answer(request: Request) -> Reply:
        if error is not None:
            return error
        post = json.loads(request.query["postStr"])
        assert request.query["tk"] == KEY and request.query["type"] == "query"
        assert post["queryType"] == "12" and post["specify"] == "156150702"
        pois = [{"name": name, "hotPointID": pid, "lonlat": f"{p.x:.6f},{p.y:.6f}",
                 "address": "海拉尔区", "typeName": "公司企业", "phone": "", "eaddress": ""}
                for pid, name, p in _pois(truth, post["keyWord"])]  # fmt: skip
        body = {"resultType": 1, "count": len(pois), "keyword": post["keyWord"], "pois": pois,
                "status": {"infocode": 1000, "cndesc": "服务正常"}}  # fmt: skip
        return Reply(body=json.dumps(body, ensure_ascii=False).encode("utf-8"))

    return answer


def amap(
    truth: dict[str, Point], *, errors: list[Reply] | None = None
) -> Callable[[Request], Reply]:
    def answer(request: Request) -> Reply:
        if errors:
            return errors.pop(0)
        q = request.query
        assert q["key"] == KEY and q["city"] == "150702" and q["citylimit"] == "true"
        pois = []
        for pid, name, p in _pois(truth, q["keywords"]):
            lon, lat = wgs84_to_gcj02(p.x, p.y)  # AMap answers in GCJ-02
            pois.append({"id": pid, "name": name, "location": f"{lon:.6f},{lat:.6f}",
                         "type": "公司企业;公司;工厂", "typecode": "170300", "address": [],
                         "adcode": "150702", "adname": "海拉尔区", "alias": []})  # fmt: skip
        body = {"status": "1", "info": "OK", "infocode": "10000", "count": str(len(pois)),
                "suggestion": {"keywords": [], "cities": []}, "pois": pois}  # fmt: skip
        return Reply(body=json.dumps(body, ensure_ascii=False).encode("utf-8"))

    return answer


def amap_error(info: str, code: str) -> Reply:
    return Reply(body=json.dumps({"status": "0", "info": info, "infocode": code}).encode())


def _argv(provider: str, url: str, *extra: str) -> list[str]:
    return ["gazetteer", "geocode", "out", "--provider", provider, "--url", url,
            "--rate", "50", *extra]  # fmt: skip


def _projects(root: Path) -> dict[str, int]:
    data = json.loads((root / "out" / "projects.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["name"]: f["properties"]["precision"] for f in data["features"]}


def _all_text(root: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") + str(p)
                     for p in root.rglob("*") if p.is_file())  # fmt: skip


@pytest.mark.parametrize("provider", ["tianditu", "amap"])
def test_geocode_upgrades_named_places_to_precision_1(
    provider: str, built: Path, truth: dict[str, Point], capsys: pytest.CaptureFixture[str]
) -> None:
    with serve("/search") as fake:
        fake.answer = tianditu(truth) if provider == "tianditu" else amap(truth)
        assert main(_argv(provider, fake.url, "--key", KEY)) == 0
    out = capsys.readouterr().out
    assert "refused 海拉尔热电厂家属院 for 海拉尔热电厂: another name" in out
    assert "refused 海拉尔河 for 海拉尔河: outside 海拉尔区" in out
    assert "not found: 海拉尔河" in out
    layer = built / "gazetteer" / "imported" / f"{provider}-150702.geojson"
    entries = {e.name: e for e in read_entries(layer)}
    assert sorted(entries) == ["正阳街", "海拉尔热电厂"]
    plant = entries["海拉尔热电厂"]
    assert distance_m(plant.geometry.coords[0], truth["海拉尔热电厂"].coords[0]) < 5
    assert plant.source_crs == ("CGCS2000" if provider == "tianditu" else "GCJ-02")
    assert plant.id == f"{provider}-150702/P1" and "query '海拉尔热电厂' in 150702" in plant.source
    assert "terms" in plant.licence
    assert main(["build", "report.txt", "-o", "out"]) == 0
    precision = _projects(built)
    assert precision["海拉尔热电厂蒸汽锅炉供热改造"] == 1 and precision["正阳街改造工程"] == 1
    assert precision["海拉尔河综合治理"] == 3
    assert KEY not in _all_text(built)


def test_a_rerun_costs_no_quota(built: Path, truth: dict[str, Point]) -> None:
    with serve("/v3/place/text") as fake:
        fake.answer = amap(truth)
        assert main(_argv("amap", fake.url, "--key", KEY)) == 0
        asked = len(fake.requests)
        assert asked == 3
        assert main(_argv("amap", fake.url, "--key", KEY)) == 0
        assert len(fake.requests) == asked
    cache = built / "cache-home" / "projectmap" / "geocode" / "amap"
    assert len(list(cache.glob("*.json"))) == 3
    assert KEY not in _all_text(built)


def test_the_key_can_come_from_the_environment(
    built: Path, truth: dict[str, Point], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROJECTMAP_TIANDITU_KEY", KEY)
    with serve("/v2/search") as fake:
        fake.answer = tianditu(truth)
        assert main(_argv("tianditu", fake.url, "--no-cache")) == 0
    assert not (built / "cache-home").exists()


def test_too_frequent_is_retried_with_back_off(built: Path, truth: dict[str, Point]) -> None:
    with serve("/v3/place/text") as fake:
        fake.answer = amap(truth, errors=[amap_error("ACCESS_TOO_FREQUENT", "10004"),
                                          Reply(status=503, body=b"busy")])  # fmt: skip
        options = GeocodeOptions("amap", KEY, url=fake.url, rate=50, backoff=0.01, cache=None)
        result = geocode(built / "out", built / "gazetteer", options)
    assert result.asked == 5  # two refused, then three names
    assert len(result.imported.entries) == 2


WRONG_KEY = Reply(body=b'{"status":"0","info":"INVALID_USER_KEY","infocode":"10001"}')
ERRORS = {
    "amap wrong key": ("amap", WRONG_KEY,
                       "AMap place search refused the request: INVALID_USER_KEY (10001)"),
    "amap quota": ("amap", amap_error("DAILY_QUERY_OVER_LIMIT", "10003"),
                   "the key's daily quota is used up (DAILY_QUERY_OVER_LIMIT, 10003)"),
    "tianditu wrong key": ("tianditu", Reply(status=403, body='{"msg":"非法key"}'.encode()),
                           "Tianditu place search refused the key (非法key); check --key"),
    "tianditu quota": ("tianditu", Reply(status=403, body='{"msg":"访问量超限"}'.encode()),
                       "the key's quota is used up (访问量超限)"),
    "not json": ("amap", Reply(body=b"<html>502 Bad Gateway</html>", content_type="text/html"),
                 "AMap place search did not answer with JSON"),
    "slow": ("tianditu", Reply(body=b'{"status": {"infocode": 1000}}' * 5, trickle=0.3),
             "did not answer in full within"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_are_one_line_and_write_nothing(
    case: str, built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    provider, reply, message = ERRORS[case]
    with serve("/search") as fake:
        fake.answer = lambda request: reply
        assert main(_argv(provider, fake.url, "--key", KEY, "--timeout", "1")) == 1
    err = capsys.readouterr().err
    assert err.startswith("projectmap: error: ") and message in err, err
    assert err.count("\n") == 1 and KEY not in err
    assert not (built / "gazetteer").exists() and not (built / "cache-home").exists()


def test_no_key_is_one_line(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gazetteer", "geocode", "out", "--provider", "amap"]) == 1
    assert "pass --key KEY or set PROJECTMAP_AMAP_KEY" in capsys.readouterr().err


def test_a_file_url_is_refused(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_argv("amap", "file:///etc/passwd", "--key", KEY)) == 1
    assert "is not an http:// or https:// address" in capsys.readouterr().err


def test_on_the_sample_a_curated_road_gets_its_geometry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from conftest import GAZETTEER, SAMPLE
    from projectmap.places.gazetteer import load_gazetteer

    monkeypatch.chdir(tmp_path)
    shutil.copytree(GAZETTEER, tmp_path / "gazetteer")
    assert main(["build", str(SAMPLE), "-o", "out"]) == 0
    road = Point(114.975, 30.195)  # a point inside 下陆区 for the fake to answer with

    def answer(request: Request) -> Reply:
        lon, lat = wgs84_to_gcj02(road.x, road.y)
        hit = {"id": "B0ROAD", "name": "东方大道", "location": f"{lon:.6f},{lat:.6f}"}
        hits = [hit] if request.query["keywords"] == "东方大道" else []
        body = {"status": "1", "info": "OK", "infocode": "10000", "pois": hits}
        return Reply(body=json.dumps(body, ensure_ascii=False).encode("utf-8"))

    with serve("/v3/place/text") as fake:
        fake.answer = answer
        assert main(_argv("amap", fake.url, "--key", KEY, "--no-cache")) == 0
        assert {r.query["city"] for r in fake.requests} == {"420204"}
    (entry,) = load_gazetteer(tmp_path / "gazetteer").lookup("东方大道")
    assert entry.id == "420204/东方大道" and "AMap place search" in entry.source
    assert distance_m(entry.geometry.coords[0], road.coords[0]) < 5
    assert main(["build", str(SAMPLE), "-o", "out"]) == 0
    assert _projects(tmp_path)["东方大道绿化升级改造"] == 1


def test_too_frequent_every_time_gives_up_with_one_line(built: Path) -> None:
    from projectmap.errors import FetchError

    with serve("/v3/place/text") as fake:
        fake.answer = lambda request: amap_error("ACCESS_TOO_FREQUENT", "10004")
        options = GeocodeOptions("amap", KEY, url=fake.url, rate=50, retries=2, backoff=0.01)
        with pytest.raises(FetchError, match=r"ACCESS_TOO_FREQUENT \(10004\); lower --rate"):
            geocode(built / "out", built / "gazetteer", options)
        assert len(fake.requests) == 3
    assert not (built / "gazetteer").exists()
