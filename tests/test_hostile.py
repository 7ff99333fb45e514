"""Hostile inputs: each file under ``tests/hostile/`` and the exact outcome it must have.

A failing case must give one ``projectmap: error: …`` line on stderr that names the
file, exit status 1, no traceback, and leave the output folder as it was (absent,
or the previous build byte for byte). A new case is a new file plus a row below;
``test_every_hostile_file_has_an_outcome`` fails until the row is there.

Large inputs (the 50 MB report) are generated at test time, not committed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import GAZETTEER, SAMPLE, build_sample_result
from markup import injected
from projectmap.cli import main
from projectmap.output.export import write_data

HOSTILE = Path(__file__).parent / "hostile"
REPORTS = HOSTILE / "reports"
GAZETTEERS = HOSTILE / "gazetteers"
PYTHON = sys.executable

#: Report → the error ``projectmap build REPORT`` must print (a regex), or None when it builds.
REPORT_ERRORS: dict[str, str | None] = {
    "empty.txt": r"empty\.txt: is empty; pass a report with text in it",
    "binary.txt": r"binary\.txt: looks binary \(NUL bytes\); pass a text, HTML, Word or PDF",
    "truncated-utf8.txt": r"truncated-utf8\.txt: ends in the middle of a character, so it was "
    r"cut short; save or download it again",
    "truncated-gbk.txt": r"truncated-gbk\.txt: ends in the middle of a character, so it was "
    r"cut short; save or download it again",
    "no-title.txt": r"no-title\.txt: no issuing government found in its title or text; "
    r"say where it is with --region NAME or --region CODE",
    "scripts.html": None,
    "only-invisible.txt": r"only-invisible\.txt: holds no readable text; pass a report with text",
    "big5-traditional.txt": None,
    "utf16le-no-bom.txt": None,
    "utf16be-no-bom.txt": None,
    "zero-width-and-bidi.txt": None,
    "formula-cells.txt": None,
    "utf32-bom.txt": None,
    "escape-sequences.txt": None,
    "stray-boms.txt": None,
    "fake.pdf": r"fake\.pdf: is not a readable PDF \(\w+\); re-save or re-export it$",
    "fake.docx": r"fake\.docx: is not a readable Word file \(BadZipFile\)$",
    "zip-not-word.docx": r"zip-not-word\.docx: is a ZIP archive but not a Word file; unzip it",
    "old-word.doc": r"old-word\.doc: is an old-style Word \(\.doc/\.wps\) file; save it as",
    "nav-only.html": r"nav-only\.html: holds no readable text; pass a report with text in it$",
    "bom-then-gbk.txt": r"bom-then-gbk\.txt: broken utf-8-sig at byte \d+; re-save the file$",
    "latin1.txt": r"latin1\.txt: no issuing government found in its title or text; say where",
}

#: Reports that build: (region, least number of projects, names that must be found).
#: Traditional characters are read as simplified, and zero-width and bidi controls are
#: dropped, so the names match the gazetteer; neither reaches an output.
REPORT_BUILDS: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "scripts.html": ("下陆区", 1, ()),
    "big5-traditional.txt": ("下陆区", 10, ("团城山", "安达路餐饮示范街", "大江环科")),
    "utf16le-no-bom.txt": ("下陆区", 10, ("团城山", "安达路餐饮示范街", "大江环科")),
    "utf16be-no-bom.txt": ("下陆区", 5, ("大江环科",)),
    "zero-width-and-bidi.txt": ("下陆区", 10, ("团城山", "安达路餐饮示范街", "大江环科")),
    "formula-cells.txt": ("下陆区", 2, ("安达路",)),
    "utf32-bom.txt": ("下陆区", 2, ("安达路",)),
    "escape-sequences.txt": ("下陆区", 10, ("团城山", "大江环科")),
    "stray-boms.txt": ("下陆区", 2, ("安达路",)),
}

#: Gazetteer → (lines ``gazetteer check`` prints, the error ``build`` prints or None).
#: A GCJ-02 point does not stop a build (a datum cannot be seen without the outline
#: test of ``gazetteer check``, which is the gate); a parent cycle does.
GAZETTEER_OUTCOMES: dict[str, tuple[list[str], str | None]] = {
    "broken-line": (
        [
            r"error: places\.geojson: line 4: entry '420204/安达路' is not valid JSON "
            r"\(Expecting value\); fix that line",
        ],
        r"broken-line/places\.geojson: line 4: not valid JSON \(Expecting value\); fix that line",
    ),
    "duplicate-id": (
        [
            r"error: places\.geojson: entry '420204/团城山' \(团城山公园\) repeats an id already "
            r"used in places\.geojson \(团城山\); give one of them another id",
        ],
        r"places\.geojson: id '420204/团城山' is already used in places\.geojson; "
        r"give one of them another id",
    ),
    "self-crossing": (
        [
            r"error: places\.geojson: entry '420204/磁湖' \(磁湖\) has an invalid Polygon "
            r"\(Self-intersection\[115\.04 30\.2\]\); redraw it",
        ],
        r"self-crossing/places\.geojson: entry '420204/磁湖' \(磁湖\) has an invalid Polygon "
        r"\(Self-intersection\[115\.04 30\.2\]\); redraw it",
    ),
    "gcj02-as-wgs84": (
        [
            r"error: places\.geojson: entry '420204/长乐山' \(长乐山\) lies 379 m outside its "
            r"ancestor '420204' \(下陆区\); read as GCJ-02 it falls inside, so its coordinates "
            r"are most likely GCJ-02 labelled WGS-84; re-import its source with "
            r"`projectmap gazetteer import FILE --crs gcj02`",
        ],
        None,
    ),
    "parent-cycle": (
        [
            r"error: places\.geojson: entry '420204/团城山' \(团城山\) is its own ancestor "
            r"\(420204/团城山 → 420204/团城山街道 → 420204/团城山\); set the parent",
        ],
        r"places\.geojson: parents form a cycle \(420204/团城山\S* → .*420204/团城山\S*\); "
        r"correct the parent of one of them",
    ),
}


def _field_error(field: str, detail: str) -> tuple[list[str], str]:
    """A feature whose field has the wrong type: the same line from check and from build."""
    line = rf"places\.geojson:feature 1: entry \S+ field '{field}' {detail}"
    return [rf"error: {line}"], line


GAZETTEER_OUTCOMES.update(
    {
        "features-numbers": (
            [r"error: places\.geojson:feature 1: expected a GeoJSON Feature, got int$"],
            r"places\.geojson:feature 1: expected a GeoJSON Feature, got int$",
        ),
        "features-object": (
            [r"error: places\.geojson: field 'features' is dict, not a list of Features$"],
            r"features-object/places\.geojson: field 'features' is dict, not a list of Features$",
        ),
        "admin-level-text": _field_error(
            "admin_level", r"is 'three'; use a whole number from 1 to 5"
        ),
        "admin-level-out-of-range": _field_error("admin_level", r"is 9; use a whole number from 1"),
        "aliases-text": _field_error("aliases", r"is not a list of strings$"),
        "id-object": _field_error("id", r"is <dict>, not text; write it as a string$"),
        "name-list": _field_error("name", r"is <list>, not text; write it as a string$"),
        "geometry-text-coordinates": (
            [
                r"error: places\.geojson:feature 1: entry '420204/x' has a geometry that does not "
                r"parse \(TypeError: .*\); fix its coordinates or set geometry to null$"
            ],
            r"places\.geojson:feature 1: entry '420204/x' has a geometry that does not parse "
            r"\(TypeError: .*\); fix its coordinates or set geometry to null$",
        ),
        "properties-list": (
            [r"error: places\.geojson:feature 1: field 'properties' is not an object$"],
            r"places\.geojson:feature 1: field 'properties' is not an object$",
        ),
        "aliases-numbers": _field_error("aliases", r"is not a list of strings$"),
        "parent-list": _field_error("parent", r"is <list>, not text; write it as a string$"),
        "admin-level-bool": _field_error("admin_level", r"is True; use a whole number from 1"),
        "notes-object": _field_error("notes", r"is <dict>, not text$"),
        "type-number": (
            [r"error: places\.geojson:feature 1: entry '420204/x' has unknown type '5'; use one"],
            r"places\.geojson:feature 1: entry '420204/x' has unknown type '5'; use one of admin",
        ),
        "polygon-too-short": (
            [
                r"error: places\.geojson:feature 1: entry '420204/x' has a geometry that does not "
                r"parse \(TypeError: .*\); fix its coordinates or set geometry to null$"
            ],
            r"places\.geojson:feature 1: entry '420204/x' has a geometry that does not parse",
        ),
        "not-json-at-all": (
            [r"error: places\.geojson: line 1: not valid JSON \(Expecting value\); fix that line$"],
            r"not-json-at-all/places\.geojson: line 1: not valid JSON \(Expecting value\); fix",
        ),
        "code-list": _field_error("code", r"is <list>, not text; write it as a string$"),
        "licence-number": _field_error("licence", r"is <float>, not text; write it as a string$"),
        "not-a-collection": (
            [r"error: places\.geojson: expected a GeoJSON FeatureCollection"],
            r"not-a-collection/places\.geojson: expected a GeoJSON FeatureCollection$",
        ),
        "not-utf8": (
            [
                r"error: places\.geojson: is not UTF-8 text \(invalid start byte\); "
                r"save it as UTF-8$"
            ],
            r"not-utf8/places\.geojson: is not UTF-8 text \(invalid start byte\); save it as "
            r"UTF-8$",
        ),
    }
)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) with its bytes."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in files}


def assert_untouched(out: Path, before: dict[str, bytes] | None) -> None:
    """The earlier output byte for byte, or still no folder; and no leftovers beside it."""
    if before is None:
        assert not out.exists()
    else:
        assert snapshot(out) == before
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(".")]


@pytest.fixture
def previous(tmp_path):
    """An output folder as an earlier build left it."""
    folder = tmp_path / "out"
    write_data(build_sample_result(), folder)
    (folder / "map.html").write_text("<!doctype html><title>old</title>", encoding="utf-8")
    files = sorted(p.name for p in folder.iterdir())
    (folder / "report.json").write_text(json.dumps({"files": [*files, "report.json"]}), "utf-8")
    return folder


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_clean_error(status: int, err: str, pattern: str) -> None:
    assert status == 1
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith("projectmap: error: "), err
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in err


def test_every_hostile_file_has_an_outcome():
    assert sorted(p.name for p in REPORTS.iterdir()) == sorted(REPORT_ERRORS)
    assert sorted(p.name for p in GAZETTEERS.iterdir()) == sorted(GAZETTEER_OUTCOMES)


# --- reports -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n, e in REPORT_ERRORS.items() if e is not None])
@pytest.mark.parametrize("earlier", [False, True], ids=["no-earlier-output", "earlier-output"])
def test_a_hostile_report_fails_cleanly(name, earlier, previous, tmp_path, capsys):
    out = previous if earlier else tmp_path / "fresh"
    before = snapshot(out) if earlier else None
    argv = ["build", str(REPORTS / name), "--gazetteer", str(GAZETTEER), "-o", str(out)]
    status, _out, err = run(argv, capsys)
    assert_one_clean_error(status, err, REPORT_ERRORS[name])
    assert_untouched(out, before)


#: Report text of ``scripts.html`` that must reach the page only escaped.
INJECTED = ("<script>alert(5)", "</script><img", "<img src=x", "<!--。", '"双引号"')
#: Scripts, handlers and links of the page itself: dropped when the report is read.
DROPPED = ("alert(1)", "alert(2)", "alert(3)", "alert(4)", "alert(6)", "alert(8)", "evil.example")


#: Characters that must never reach an output: zero-width, BOM, bidi and terminal controls.
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u200e", "\ufeff", "\u202e", "\u2066", "\x1b", "\x07")


@pytest.mark.parametrize("name", REPORT_BUILDS)
def test_a_hostile_report_that_builds_lands_in_its_region(name, tmp_path, capsys):
    region, least, names = REPORT_BUILDS[name]
    out = tmp_path / "out"
    argv = ["build", str(REPORTS / name), "--gazetteer", str(GAZETTEER), "-o", str(out)]
    status, stdout, err = run(argv, capsys)
    assert status == 0 and err == "", err
    assert stdout.startswith(f"{name}: {region}, ")
    record = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert record["region"]["code"] == "420204" and record["counts"]["projects"] >= least
    places = (out / "places.geojson").read_text(encoding="utf-8")
    assert [n for n in names if f'"mention":"{n}"' not in places] == []
    for written in out.iterdir():
        if written.suffix in {".geojson", ".csv", ".json"}:
            text = written.read_text(encoding="utf-8-sig")  # the CSV's BOM is for Excel
            assert [c for c in INVISIBLE if c in text] == [], written.name


def test_html_full_of_scripts_builds_and_none_reaches_the_map(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["build", str(REPORTS / "scripts.html"), "--gazetteer", str(GAZETTEER), "-o", str(out)]
    status, stdout, err = run(argv, capsys)
    assert status == 0, err
    assert "Traceback" not in err and "scripts.html: 下陆区" in stdout
    page = (out / "map.html").read_text(encoding="utf-8")
    assert injected(page, INJECTED, ("alert",)) == []
    assert [d for d in DROPPED if d in page] == []
    assert "alert(5)" in page and "alert(9)" in page  # it is there, as text
    for name in ("projects.geojson", "places.geojson", "projects.csv"):
        assert "<script>alert(5)</script>" in (out / name).read_text(encoding="utf-8")


# --- the size limit and memory -------------------------------------------------------------


@pytest.fixture(scope="module")
def report_50mb(tmp_path_factory) -> Path:
    """The sample report repeated to 50 MB: written at test time, never committed."""
    path = tmp_path_factory.mktemp("big") / "big-50mb.txt"
    unit = SAMPLE.read_bytes()
    with path.open("wb") as handle:
        for _ in range(50_000_000 // len(unit) + 1):
            handle.write(unit)
    return path


@pytest.mark.parametrize("earlier", [False, True], ids=["no-earlier-output", "earlier-output"])
def test_a_50mb_report_is_refused_by_the_default_limit(
    report_50mb, earlier, previous, tmp_path, capsys
):
    out = previous if earlier else tmp_path / "fresh"
    before = snapshot(out) if earlier else None
    argv = ["build", str(report_50mb), "--gazetteer", str(GAZETTEER), "-o", str(out)]
    status, _out, err = run(argv, capsys)
    assert_one_clean_error(
        status,
        err,
        r"big-50mb\.txt: is 50\.\d MB, over the 20 MB limit; raise it with --max-size MB",
    )
    assert_untouched(out, before)


MEMORY_PROBE = textwrap.dedent(
    """
    import resource, sys
    from projectmap.reading.ingest import read_report
    from projectmap.text.segment import split_sentences
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = read_report(sys.argv[1], max_bytes=60_000_000)
    sentences = split_sentences(report.text)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(len(report.text), len(sentences), (peak - base) * 1024)
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_a_50mb_report_reads_in_bounded_memory_with_a_raised_limit(report_50mb):
    """Reading and splitting 50 MB grows the peak RSS by about 4x the file (measured: 220 MB).

    A full build of 50 MB is not practical (jieba tags about 10 kB of prose a second),
    so the bound is checked on the stages that see the whole text at once.
    """
    probe = subprocess.run(
        [PYTHON, "-c", MEMORY_PROBE, str(report_50mb)], capture_output=True, text=True, check=True
    )
    chars, sentences, growth = map(int, probe.stdout.split())
    assert chars > 15_000_000 and sentences > 100_000
    size = report_50mb.stat().st_size
    assert growth < 8 * size, f"peak RSS grew by {growth / 1e6:.0f} MB for {size / 1e6:.0f} MB"


def test_max_size_raises_the_limit(tmp_path, capsys):
    """A limit below the file refuses it, naming the limit; --max-size lets it through."""
    argv = ["build", str(SAMPLE), "--gazetteer", str(GAZETTEER), "-o", str(tmp_path / "out")]
    status, _out, err = run([*argv, "--max-size", "0.001"], capsys)
    assert_one_clean_error(status, err, r"over the 0 MB limit; raise it with --max-size MB")
    assert not (tmp_path / "out").exists()


# --- gazetteers ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", GAZETTEER_OUTCOMES)
def test_gazetteer_check_reports_the_exact_problem(case, capsys):
    folder = GAZETTEERS / case
    status, out, err = run(["gazetteer", "check", "--gazetteer", str(folder)], capsys)
    expected, _build = GAZETTEER_OUTCOMES[case]
    lines = out.strip("\n").split("\n")
    assert status == 1 and err == ""
    assert len(lines) == len(expected) + 1, out
    for line, pattern in zip(lines, expected, strict=False):
        assert re.match(pattern, line), line
    assert lines[-1] == f"{folder}: {len(expected)} error{'s' * (len(expected) != 1)}, 0 warnings"


@pytest.mark.parametrize("case", GAZETTEER_OUTCOMES)
@pytest.mark.parametrize("earlier", [False, True], ids=["no-earlier-output", "earlier-output"])
def test_a_build_with_a_hostile_gazetteer(case, earlier, previous, tmp_path, capsys):
    out = previous if earlier else tmp_path / "fresh"
    before = snapshot(out) if earlier else None
    argv = ["build", str(SAMPLE), "--gazetteer", str(GAZETTEERS / case), "-o", str(out)]
    status, stdout, err = run(argv, capsys)
    _check, error = GAZETTEER_OUTCOMES[case]
    if error is None:
        assert status == 0 and "Traceback" not in err, err
        assert "xialu-2022-excerpt.txt: 下陆区" in stdout
        assert (out / "projects.gpkg").is_file()
        return
    assert_one_clean_error(status, err, error)
    assert_untouched(out, before)


COMPARE = HOSTILE / "compare"


def test_the_corpus_holds_at_least_sixty_cases_each_with_an_outcome():
    """Reports, gazetteers and compare inputs are files here; each kind's table covers them.

    Cases made at test time (FIFOs, devices, Word and PDF tricks, options, locales,
    kills) are in test_hostile_special.py and test_ownership.py.
    """
    from test_hostile_special import COMPARE_ERRORS

    cases = [*REPORTS.iterdir(), *GAZETTEERS.iterdir(), *COMPARE.iterdir()]
    assert len(cases) >= 60
    assert sorted(p.name for p in COMPARE.iterdir()) == sorted(COMPARE_ERRORS)


def _csv_cells(path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


FORMULA_START = ("=", "+", "-", "@")


def test_a_sentence_starting_like_a_formula_is_inert_in_compare_csv(tmp_path, capsys):
    report = REPORTS / "formula-cells.txt"
    out = tmp_path / "cmp"
    argv = ["compare", str(report), str(report), "--gazetteer", str(GAZETTEER), "-o", str(out)]
    status, _stdout, err = run(argv, capsys)
    assert status == 0, err
    cells = _csv_cells(out / "compare.csv")
    assert '\'=HYPERLINK("http://evil.example/x","点击")推进安达路改造工程。' in cells
    assert [c for c in cells if c.startswith(FORMULA_START)] == []


def test_a_sentence_starting_like_a_formula_is_inert_in_projects_csv(tmp_path, capsys):
    """End to end: =HYPERLINK( in the report, no formula cell in projects.csv."""
    out = tmp_path / "out"
    argv = ["build", str(REPORTS / "formula-cells.txt"), "--gazetteer", str(GAZETTEER), "-o",
            str(out)]  # fmt: skip
    status, _stdout, err = run(argv, capsys)
    assert status == 0, err
    cells = _csv_cells(out / "projects.csv") + _csv_cells(out / "unresolved.csv")
    assert [c for c in cells if c.startswith(FORMULA_START)] == []
    assert any(c.startswith("'=HYPERLINK(") for c in cells)  # the sentence is kept, inert


def test_the_corpus_is_small():
    """Large cases are generated at test time; the committed corpus stays tiny."""
    total = sum(p.stat().st_size for p in HOSTILE.rglob("*") if p.is_file())
    assert total < 50_000
