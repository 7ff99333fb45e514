"""`projectmap build` over many reports: a folder, a bad file among good ones, --jobs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from conftest import DATA, GAZETTEER, SAMPLE
from projectmap._progress import Progress
from projectmap.batch import Outcome, find_reports, folder_names, index_html
from projectmap.cli import main

DATA_FILES = ("projects.geojson", "places.geojson", "projects.csv", "unresolved.csv")
SECOND = """2023年黄石市下陆区政府工作报告
完善城区路网。启动东方大道绿化升级改造，加快蜂烈山路建设，推进团城山片排水设施综合改造。
"""


@pytest.fixture
def folder(tmp_path) -> Path:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "xialu-2022.txt").write_bytes(SAMPLE.read_bytes())
    (reports / "xialu-2023.txt").write_text(SECOND, encoding="utf-8")
    (reports / "broken.docx").write_bytes(b"this is no Word file")
    (reports / "notes.md").write_text("not a report", encoding="utf-8")
    return reports


def _build(*args: str) -> int:
    return main(["build", *args, "--gazetteer", str(GAZETTEER)])


def test_a_corrupt_file_is_reported_and_skipped(folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert _build(str(folder), "-o", str(out)) == 1
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if line.startswith("projectmap: error:")]
    assert len(errors) == 1 and "broken.docx" in errors[0]
    assert "2 built, 1 failed" in captured.out
    for name in ("xialu-2022", "xialu-2023"):
        assert all((out / name / f).is_file() for f in (*DATA_FILES, "map.html"))
    assert not (out / "broken").exists() and not (out / "notes").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="xialu-2022/map.html"' in index and 'href="xialu-2023/map.html"' in index
    assert re.search(r"broken\.docx</td><td colspan=\"5\">failed: broken\.docx: ", index)
    assert "2 built, 1 failed" in index


def test_index_counts_match_the_data_files(folder, tmp_path):
    out = tmp_path / "out"
    _build(str(folder / "xialu-2023.txt"), str(folder / "xialu-2022.txt"), "-o", str(out))
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in ("xialu-2022", "xialu-2023"):
        projects = (out / name / "projects.geojson").read_text(encoding="utf-8").count('"Feature"')
        places = (out / name / "places.geojson").read_text(encoding="utf-8")
        unresolved = places.count('"gazetteer_id":null')
        resolved = places.count('"Feature"') - unresolved
        row = re.search(rf'href="{name}/map.html">.*?</tr>', index)
        assert row is not None
        numbers = re.findall(r"<td class=n>(\d+)</td>", row.group())
        assert numbers == [str(projects), str(resolved), str(unresolved)]
        assert projects > 0


def test_jobs_2_writes_the_same_data_files_as_jobs_1(folder, tmp_path):
    (folder / "broken.docx").unlink()
    (folder / "yuhang.txt").write_bytes((DATA / "yuhang-sample.txt").read_bytes())  # elsewhere
    one, two = tmp_path / "one", tmp_path / "two"
    assert _build(str(folder), "-o", str(one), "--jobs", "1") == 0
    assert _build(str(folder), "-o", str(two), "--jobs", "2") == 0
    for name in ("xialu-2022", "xialu-2023", "yuhang"):
        for data in DATA_FILES:
            assert (one / name / data).read_bytes() == (two / name / data).read_bytes()


def test_one_report_with_o_keeps_its_folder(tmp_path):
    out = tmp_path / "mine"
    assert _build(str(SAMPLE), "-o", str(out)) == 0
    assert (out / "projects.geojson").is_file() and not (out / "index.html").exists()


def test_a_folder_without_reports_is_an_error(tmp_path, capsys):
    assert _build(str(tmp_path)) == 1
    assert "holds no report file" in capsys.readouterr().err


def test_reports_are_found_sorted_and_named_apart(tmp_path):
    for name in ("b.txt", "a.html", "a.TXT", "~$a.docx", ".hidden.txt", "c.pdf", "d.png"):
        (tmp_path / name).write_bytes(b"x")
    found = find_reports([tmp_path])
    assert [p.name for p in found] == ["a.TXT", "a.html", "b.txt", "c.pdf"]
    assert folder_names([*found, tmp_path / "a.txt"]) == ["a", "a-html", "b", "c", "a-txt"]


def test_index_escapes_names_and_errors():
    hostile = Outcome(Path("<img src=x onerror=alert(1)>.txt"), "x", error="<script>bad</script>")
    good = Outcome(Path('a"b<i>.txt'), 'a"b<i>', "下陆区<b>", 3, 2, 1)
    page = index_html([hostile, good])
    assert "<img" not in page and "<script>bad" not in page and "<b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page
    assert 'href="a%22b%3Ci%3E/map.html"' in page


def test_progress_draws_a_bar_on_a_terminal_and_lines_elsewhere():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    outcomes = [Outcome(Path("a.txt"), "a"), Outcome(Path("b.pdf"), "b", error="b.pdf: broken")]
    tty, pipe = Terminal(), io.StringIO()
    for stream in (tty, pipe):
        progress = Progress(2, stream, width=10)
        progress.start()
        for outcome in outcomes:
            progress(outcome)
    assert "\r[#####.....] 1/2 a.txt" in tty.getvalue()
    assert tty.getvalue().endswith("[##########] 2/2 b.pdf\n")
    assert "projectmap: error: b.pdf: broken\n" in tty.getvalue()
    assert pipe.getvalue() == "projectmap: [1/2] a.txt\nprojectmap: error: b.pdf: broken\n"
