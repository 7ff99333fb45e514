"""fetch-osm and import --within for any county of China, from a build's output, bounded."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from shapely.geometry import LineString, Polygon

from conftest import ROOT
from fake_http import Reply, Request, serve
from projectmap.cli import main
from projectmap.places import china
from projectmap.places.gazetteer import load_gazetteer, read_entries

HAILAER_TEXT = ROOT.parent / "shared" / "eval" / "dev" / "texts" / "full-hailaer-2019.txt"
HAILAER_REPORT = """呼伦贝尔市海拉尔区人民政府工作报告
2019年3月4日
推进海拉尔热电厂蒸汽锅炉供热改造。
启动海拉尔河综合治理。
完成正阳街改造工程。
"""


@pytest.fixture(scope="module")
def hailaer() -> Polygon:
    """海拉尔区's packaged outline."""
    entries = china.skeleton(["150702"], china.AdminIndex.load())
    return next(e for e in entries if e.id == "150702").geometry


def _nodes(coords) -> list[dict[str, float]]:
    return [{"lat": y, "lon": x} for x, y in coords]


def hailaer_answer(outline: Polygon) -> dict:
    """An Overpass `out geom;` answer with three features inside 海拉尔区 and one outside."""
    x, y = outline.representative_point().coords[0]
    street = LineString([(x - 0.01, y), (x + 0.01, y + 0.002)])
    river = LineString([(x - 0.02, y - 0.01), (x + 0.02, y - 0.012)])
    plant = Polygon([(x, y + 0.01), (x + 0.004, y + 0.01), (x + 0.004, y + 0.013),
                     (x, y + 0.013), (x, y + 0.01)])  # fmt: skip
    for geometry in (street, river, plant):
        assert outline.contains(geometry)
    return {"elements": [
        {"type": "way", "id": 1, "tags": {"highway": "secondary", "name": "正阳街"},
         "geometry": _nodes(street.coords)},
        {"type": "way", "id": 2, "tags": {"waterway": "river", "name": "海拉尔河"},
         "geometry": _nodes(river.coords)},
        {"type": "way", "id": 3, "tags": {"power": "plant", "name": "海拉尔热电厂"},
         "geometry": _nodes(plant.exterior.coords)},
        {"type": "node", "id": 4, "lat": 30.2, "lon": 115.0, "tags": {"name": "正阳街"}},
    ]}  # fmt: skip


def _overpass(answer: dict):
    def reply(request: Request) -> Reply:
        return Reply(body=json.dumps(answer, ensure_ascii=False).encode("utf-8"))

    return reply


def test_hailaer_from_an_empty_folder_to_precision_1(
    tmp_path: Path,
    hailaer: Polygon,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no gazetteer folder here
    report = tmp_path / "hailaer.txt"
    report.write_text(HAILAER_REPORT, encoding="utf-8")
    assert main(["build", str(report), "-o", "out"]) == 0
    assert "to place them precisely: projectmap gazetteer fetch-osm --from out" in (
        capsys.readouterr().out
    )
    before = json.loads((tmp_path / "out" / "projects.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["precision"] for f in before["features"]} == {3}
    with serve("/api/interpreter") as overpass:
        overpass.answer = _overpass(hailaer_answer(hailaer))
        argv = ["gazetteer", "fetch-osm", "--from", "out", "--overpass-url", overpass.url]
        assert main(argv) == 0
    (query,) = [r.form["data"] for r in overpass.requests]
    assert "^(正阳街|海拉尔河|海拉尔热电厂)$" in query
    layer = read_entries(tmp_path / "gazetteer" / "imported" / "osm-150702-names.geojson")
    assert sorted(e.name for e in layer) == ["正阳街", "海拉尔河", "海拉尔热电厂"]  # not far ones
    assert (tmp_path / "gazetteer" / "imported" / "china-150702.geojson").exists()
    assert main(["build", str(report), "-o", "out"]) == 0
    after = json.loads((tmp_path / "out" / "projects.geojson").read_text(encoding="utf-8"))
    precise = {f["properties"]["name"]: f["properties"]["precision"] for f in after["features"]}
    assert precise == {"海拉尔热电厂蒸汽锅炉供热改造": 1, "海拉尔河综合治理": 1,
                       "正阳街改造工程": 1}  # fmt: skip


@pytest.mark.skipif(not HAILAER_TEXT.exists(), reason="needs ../shared/eval")
def test_the_full_hailaer_report_gets_projects_at_precision_1(
    tmp_path: Path, hailaer: Polygon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(HAILAER_TEXT), "-o", "out"]) == 0
    with serve("/api/interpreter") as overpass:
        overpass.answer = _overpass(hailaer_answer(hailaer))
        assert main(["gazetteer", "fetch-osm", "海拉尔区", "--overpass-url", overpass.url]) == 0
    assert main(["build", str(HAILAER_TEXT), "-o", "out"]) == 0
    after = json.loads((tmp_path / "out" / "projects.geojson").read_text(encoding="utf-8"))
    precisions = [f["properties"]["precision"] for f in after["features"]]
    # 海拉尔热电厂 and the river's works sit on the fetched features; 正阳街小学 is a school
    # on the fetched street, so it is placed near it (2), not on it
    assert precisions.count(1) >= 2 and sum(p <= 2 for p in precisions) >= 3


def test_import_within_any_county(tmp_path: Path, hailaer: Polygon) -> None:
    extract = tmp_path / "hailaer.overpass.json"
    extract.write_text(json.dumps(hailaer_answer(hailaer)), encoding="utf-8")
    gazetteer = tmp_path / "gazetteer"
    argv = ["gazetteer", "import", str(extract), "--within", "海拉尔区", "--gazetteer",
            str(gazetteer)]  # fmt: skip
    assert main(argv) == 0
    loaded = load_gazetteer(gazetteer)
    street = loaded.lookup("正阳街")
    assert [e.parent for e in street] == ["150702"]
    assert loaded["150702"].geometry is not None


def test_an_unknown_area_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["gazetteer", "fetch-osm", "不存在区", "--gazetteer", str(tmp_path / "g"),
            "--overpass-url", "http://127.0.0.1:9/"]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("projectmap: error: area '不存在区' is not in the gazetteer nor")
    assert err.count("\n") == 1
    assert not (tmp_path / "g").exists()


def test_area_or_from_but_not_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gazetteer", "fetch-osm"]) == 1
    assert "pass either AREA or --from OUTDIR" in capsys.readouterr().err
    assert main(["gazetteer", "fetch-osm", "--from", str(tmp_path)]) == 1
    assert "report.json: no such file" in capsys.readouterr().err


# --- network hardening -------------------------------------------------------------------------


def _fetch(url: str, gazetteer: Path, *extra: str) -> list[str]:
    return ["gazetteer", "fetch-osm", "150702", "--overpass-url", url,
            "--gazetteer", str(gazetteer), *extra]  # fmt: skip


def test_a_trickling_server_is_cut_off_at_the_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve("/api/interpreter") as overpass:
        overpass.answer = lambda request: Reply(body=b'{"elements": []}' * 10, trickle=0.5)
        started = time.monotonic()
        assert main(_fetch(overpass.url, tmp_path / "g", "--timeout", "1")) == 1
        assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert "did not answer in full within 1 s" in err and err.count("\n") == 1
    assert not (tmp_path / "g").exists()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x"])
def test_only_http_and_https(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_fetch(url, tmp_path / "g")) == 1
    err = capsys.readouterr().err
    assert "is not an http:// or https:// address" in err and err.count("\n") == 1


def test_an_answer_over_the_size_cap_is_refused() -> None:
    from projectmap.curate.overpass import fetch_overpass
    from projectmap.errors import FetchError

    with serve("/api/interpreter") as overpass:
        overpass.answer = lambda request: Reply(body=b" " * 3_000_000 + b"{}")
        with pytest.raises(FetchError, match="sent more than 2 MB"):
            fetch_overpass("[out:json];", url=overpass.url, timeout=10, max_bytes=2_000_000)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"elements": [1]}', "element 1 is int 1, not an object"),
        (b'{"elements": [{"type": "node", "id": "abc", "lat": 49.2, "lon": 119.9}]}',
         "element 1: field 'id' is 'abc', not a whole number"),
        (b'{"elements": [{"type": "node", "id": 5, "tags": ["name", "x"]}]}',
         "element 1 (node 5): field 'tags' is"),
        (b'{"elements": [{"type": "way", "id": 5, "tags": {"name": "x"}, "geometry": 7}]}',
         "element 1 (way 5) has no usable geometry"),
        (b'{"elements": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
        (b"<html>busy</html>", "did not answer with JSON"),
    ],
)  # fmt: skip
def test_bad_overpass_answers_are_one_line(
    body: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve("/api/interpreter") as overpass:
        overpass.answer = lambda request: Reply(body=body)
        assert main(_fetch(overpass.url, tmp_path / "g")) == 1
    err = capsys.readouterr().err
    assert err.startswith("projectmap: error: ") and message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "g").exists()


def test_an_output_with_nothing_left_to_place(tmp_path: Path) -> None:
    from projectmap.errors import InputError
    from projectmap.places.needs import read_output

    (tmp_path / "report.json").write_text('{"region": {"code": "150702"}}', encoding="utf-8")
    (tmp_path / "places.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"mention": "正阳街", "precision": 1}, "geometry": null}]}',
        encoding="utf-8",
    )
    output = read_output(tmp_path)
    assert output.region_code == "150702" and output.region_name == "150702"
    with pytest.raises(InputError, match="no unresolved or district-level places"):
        output.names()


def test_a_server_that_never_answers_is_cut_off_at_the_deadline() -> None:
    import socket

    from projectmap.curate.http import fetch
    from projectmap.errors import FetchError

    with socket.socket() as listener:  # accepts connections (backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/interpreter"
        started = time.monotonic()
        with pytest.raises(FetchError, match="did not answer in full within 1 s"):
            fetch(url, service="Overpass server", option="--overpass-url", deadline=1)
        assert time.monotonic() - started < 3


def test_a_second_report_of_the_region_adds_to_the_layer(
    tmp_path: Path, hailaer: Polygon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    answer = hailaer_answer(hailaer)
    street, river = answer["elements"][0], answer["elements"][1]
    (tmp_path / "report.txt").write_text(HAILAER_REPORT, encoding="utf-8")
    assert main(["build", "report.txt", "-o", "out"]) == 0
    for elements in ([street], [river]):  # two runs, each finding one feature
        with serve("/api/interpreter") as overpass:
            overpass.answer = _overpass({"elements": elements})
            assert main(["gazetteer", "fetch-osm", "--from", "out",
                         "--overpass-url", overpass.url]) == 0  # fmt: skip
    layer = read_entries(tmp_path / "gazetteer" / "imported" / "osm-150702-names.geojson")
    assert sorted(e.name for e in layer) == ["正阳街", "海拉尔河"]
