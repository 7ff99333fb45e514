"""Hostile cases that are made at test time: special files, Word and PDF tricks, options,
terminals, locales, interrupts, compare inputs and the batch page.

Each case asserts its exact outcome: one clean error line naming the file (and the
feature and field), or a build that lands where it should; never a traceback or a hang.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import GAZETTEER, SAMPLE
from projectmap import _files, _index, _layer
from projectmap.cli import main
from projectmap.errors import GazetteerError, InputError
from projectmap.gazetteer import load_gazetteer

HOSTILE = Path(__file__).parent / "hostile"
COMPARE = HOSTILE / "compare"
PYTHON = sys.executable
CJK = "黄石市下陆区人民政府工作报告\n推进安达路改造工程，启动团城山片老旧小区改造。\n"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def one_error(status: int, err: str, pattern: str) -> None:
    assert status == 1 and "Traceback" not in err, err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("projectmap: error: "), err
    assert re.search(pattern, lines[0]), lines[0]


def build(report: Path, tmp_path: Path, capsys, *more: str) -> tuple[int, str, str]:
    out = tmp_path / "out"
    return run(["build", str(report), "--gazetteer", str(GAZETTEER), "-o", str(out), *more], capsys)


# --- files that are not regular files, or cannot be read -----------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_report_is_refused_by_name_without_waiting(tmp_path, capsys):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    status, _out, err = build(fifo, tmp_path, capsys)
    one_error(status, err, r"pipe\.txt: is a FIFO \(named pipe\), not a regular file; pass a file$")
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_a_report_is_refused_without_reading(tmp_path, capsys):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    status, _out, err = build(link, tmp_path, capsys)
    one_error(status, err, r"zero\.txt: is a device, not a regular file; pass a file$")


def test_a_folder_given_as_a_report_is_refused():
    from projectmap.ingest import read_report

    with pytest.raises(InputError, match=r"hostile: is a folder; pass a report file$"):
        read_report(HOSTILE)


def _unreadable(monkeypatch, path: Path) -> None:
    """Make ``path`` unreadable: by its mode, or (as root, who reads anything) at os.open."""
    if os.geteuid() != 0:
        path.chmod(0)
        return
    real = _files.os.open

    def refuse(target, *args, **kwargs):
        if Path(target) == path:
            raise PermissionError(13, "Permission denied", str(target))
        return real(target, *args, **kwargs)

    monkeypatch.setattr(_files.os, "open", refuse)


def test_an_unreadable_report_is_one_clean_error(tmp_path, capsys, monkeypatch):
    report = tmp_path / "secret.txt"
    report.write_text(CJK, encoding="utf-8")
    _unreadable(monkeypatch, report)
    status, _out, err = build(report, tmp_path, capsys)
    one_error(status, err, r"secret\.txt: cannot be read \(Permission denied\); check its perm")


def test_an_unreadable_batch_folder_is_one_clean_error(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    real = Path.iterdir

    def refuse(self):
        if self == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    status, _out, err = run(["build", str(folder), "--gazetteer", str(GAZETTEER)], capsys)
    one_error(status, err, r"reports: cannot be read \(Permission denied\); check its permissions$")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_in_a_batch_folder_fails_by_name_and_the_rest_builds(tmp_path, capsys):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "a.txt")
    os.mkfifo(folder / "b.txt")
    out = tmp_path / "out"
    status, stdout, err = run(["build", str(folder), "--gazetteer", str(GAZETTEER), "-o",
                               str(out)], capsys)  # fmt: skip
    assert status == 1 and "Traceback" not in err
    assert "b.txt: is a FIFO (named pipe), not a regular file" in err
    assert "1 built, 1 failed" in stdout and (out / "a" / "report.json").is_file()


# --- gazetteer folders with special files, leftovers, deep nesting -------------------------


@pytest.fixture
def gazetteer_copy(tmp_path) -> Path:
    copy = tmp_path / "gazetteer"
    shutil.copytree(GAZETTEER, copy, ignore=shutil.ignore_patterns("*.md"))
    return copy


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_fifo_in_the_gazetteer_is_reported_by_name(command, gazetteer_copy, tmp_path, capsys):
    os.mkfifo(gazetteer_copy / "zz.geojson")
    if command == "build":
        status, _out, err = build(SAMPLE, tmp_path, capsys, "--gazetteer", str(gazetteer_copy))
        one_error(status, err, r"zz\.geojson: is a FIFO \(named pipe\), not a regular file")
    else:
        status, out, _err = run(["gazetteer", "check", "--gazetteer", str(gazetteer_copy)], capsys)
        assert status == 1
        assert "error: zz.geojson: is a FIFO (named pipe), not a regular file; pass a file" in out


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_linked_into_the_gazetteer_is_refused(gazetteer_copy, tmp_path, capsys):
    (gazetteer_copy / "zero.geojson").symlink_to("/dev/zero")
    status, _out, err = build(SAMPLE, tmp_path, capsys, "--gazetteer", str(gazetteer_copy))
    one_error(status, err, r"zero\.geojson: is a device, not a regular file; pass a file$")


def test_a_killed_imports_temporary_file_is_skipped_by_build_and_check(gazetteer_copy, capsys):
    """``gazetteer import`` killed halfway leaves ``.NAME.<hex>.tmp.geojson``: never a layer."""
    imported = gazetteer_copy / "imported"
    imported.mkdir(exist_ok=True)
    (imported / ".gcj.0123456789ab.tmp.geojson").write_text('{"type":"Feature', encoding="utf-8")
    (gazetteer_copy / ".hidden").mkdir()
    (gazetteer_copy / ".hidden" / "x.geojson").write_text("not json", encoding="utf-8")
    assert len(load_gazetteer(gazetteer_copy)) == len(load_gazetteer(GAZETTEER))
    status, out, _err = run(["gazetteer", "check", "--gazetteer", str(gazetteer_copy)], capsys)
    assert status == 0 and ".gcj" not in out and ".hidden" not in out


def test_a_gazetteer_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "big.geojson").write_text('{"type":"FeatureCollection","features":[]}' + " " * 2000)
    monkeypatch.setattr(_layer, "MAX_FILE_BYTES", 1000)
    with pytest.raises(GazetteerError, match=r"big\.geojson: is over the 0\.001 MB limit$"):
        load_gazetteer(folder)


@pytest.mark.parametrize("where", ["file", "geometry"])
def test_deeply_nested_gazetteer_json_is_one_clean_error(where, tmp_path, capsys):
    folder = tmp_path / "g"
    folder.mkdir()
    deep = "[" * 200_000 + "]" * 200_000
    if where == "geometry":
        text = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                f'"geometry":{{"type":"Point","coordinates":{deep}}}}}]}}')  # fmt: skip
    else:
        text = deep
    (folder / "deep.geojson").write_text(text, encoding="utf-8")
    status, _out, err = build(SAMPLE, tmp_path, capsys, "--gazetteer", str(folder))
    one_error(status, err, r"deep\.geojson: is nested too deeply to be a gazetteer file$")
    status, out, _err = run(["gazetteer", "check", "--gazetteer", str(folder)], capsys)
    assert status == 1 and "deep.geojson: is nested too deeply" in out


# --- Word files ----------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(body_xml: str = "", title: str = "黄石市下陆区人民政府工作报告") -> bytes:
    """A Word file: a title paragraph, then ``body_xml`` (WordprocessingML) in the body."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph(title)
    if body_xml:
        element = parse_xml(f'<w:wrap xmlns:w="{W}">{body_xml}</w:wrap>')
        for child in list(element):
            document.element.body.insert(len(document.element.body) - 1, child)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _run(text: str) -> str:
    return f"<w:r><w:t>{text}</w:t></w:r>"


def test_docx_paragraphs_in_content_controls_and_tracked_insertions_are_read(tmp_path):
    from projectmap.ingest import read_report

    body = (
        f"<w:sdt><w:sdtPr><w:alias w:val='x'/></w:sdtPr><w:sdtContent>"
        f"<w:p>{_run('推进安达路改造工程。')}</w:p></w:sdtContent></w:sdt>"
        f"<w:p>{_run('启动')}<w:ins w:id='1' w:author='a'>{_run('团城山片老旧小区改造')}</w:ins>"
        f"<w:del w:id='2' w:author='a'><w:r><w:delText>删掉的字</w:delText></w:r></w:del>"
        f"{_run('。')}</w:p>"
        f"<w:p><w:sdt><w:sdtContent>{_run('建设磁湖西岸绿道。')}</w:sdtContent></w:sdt></w:p>"
    )
    path = tmp_path / "controls.docx"
    path.write_bytes(_docx(body))
    assert read_report(path).text.split("\n") == [
        "黄石市下陆区人民政府工作报告",
        "推进安达路改造工程。",
        "启动团城山片老旧小区改造。",
        "建设磁湖西岸绿道。",
    ]


def _patched(data: bytes, *, flag: int = 0, method: int | None = None) -> bytes:
    """The archive with every member's flag bits or'ed with ``flag`` and its method replaced."""
    out = bytearray(data)
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            out[at + flag_at] |= flag
            if method is not None:
                out[at + method_at : at + method_at + 2] = method.to_bytes(2, "little")
            start = at + 4
    return bytes(out)


@pytest.mark.parametrize(
    ("case", "patch", "pattern"),
    [
        ("encrypted", {"flag": 1}, r"is encrypted \(\S+\); save an unprotected copy in Word$"),
        ("deflate64", {"method": 9}, r"uses ZIP compression method 9 \(\S+\), which projectmap "
                                     r"cannot read; re-save it in Word$"),
        ("unknown-method", {"method": 99}, r"uses ZIP compression method 99"),
    ],
)  # fmt: skip
def test_a_docx_with_an_encrypted_or_unknown_member_is_a_clean_error(
    case, patch, pattern, tmp_path, capsys
):
    path = tmp_path / f"{case}.docx"
    path.write_bytes(_patched(_docx(), **patch))
    status, _out, err = build(path, tmp_path, capsys)
    one_error(status, err, rf"{case}\.docx: {pattern}")


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated(tmp_path, capsys):
    """A member that inflates to 210 MB from a few hundred kB: refused by its declared size."""
    path = tmp_path / "bomb.docx"
    path.write_bytes(_docx())
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(210):
            member.write(bytes(1_000_000))
    assert path.stat().st_size < 1_000_000
    status, _out, err = build(path, tmp_path, capsys)
    one_error(status, err, r"bomb\.docx: unpacks to 21\d MB, over the 200 MB limit for a Word "
                           r"file; it is damaged or a zip bomb$")  # fmt: skip


def test_a_docx_that_lies_about_its_sizes_is_a_clean_error(tmp_path, capsys):
    data = bytearray(_docx())
    at = data.find(b"PK\x01\x02")  # the first central-directory entry: declare 10 bytes
    while at >= 0:
        data[at + 24 : at + 28] = (10).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path = tmp_path / "liar.docx"
    path.write_bytes(bytes(data))
    status, _out, err = build(path, tmp_path, capsys)
    one_error(status, err, r"liar\.docx: is not a readable Word file \(\w+\)$")


# --- PDFs ----------------------------------------------------------------------------------


def test_pdf_coordinates_that_overflow_drop_that_text_and_read_the_rest(tmp_path):
    """A CTM of 1e40 nine times over gives inf and NaN positions (``_Layout.of`` crashed)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from projectmap.ingest import read_report

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "overflow.pdf"
    page = canvas.Canvas(str(path), pageCompression=0)
    page.setFont("STSong-Light", 12)
    page.drawString(72, 750, "黄石市下陆区人民政府工作报告")
    page.drawString(72, 730, "推进安达路改造工程，启动团城山片老旧小区改造。")
    page.saveState()
    big = "1" + "0" * 40 + ".0"
    for _ in range(9):
        page._code.append(f"{big} 0 0 {big} 0 0 cm")
    page.drawString(72, 700, "溢出的坐标文字。")
    page.restoreState()
    page.save()
    text = read_report(path).text
    assert "推进安达路改造工程" in text and "溢出" not in text


# --- numeric options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "option", "value"),
    [
        (["build", str(SAMPLE), "--max-size", "nan"], "--max-size", "nan"),
        (["build", str(SAMPLE), "--max-size", "inf"], "--max-size", "inf"),
        (["build", str(SAMPLE), "--max-size", "-1"], "--max-size", "-1"),
        (["build", str(SAMPLE), "--max-size", "0"], "--max-size", "0"),
        (["build", str(SAMPLE), "--max-size", "lots"], "--max-size", "lots"),
        (["gazetteer", "fetch-osm", "420204", "--timeout", "inf"], "--timeout", "inf"),
        (["gazetteer", "fetch-osm", "420204", "--timeout", "nan"], "--timeout", "nan"),
        (["gazetteer", "fetch-osm", "420204", "--timeout", "-5"], "--timeout", "-5"),
    ],
)
def test_a_numeric_option_that_is_not_a_finite_positive_number_is_refused(
    argv, option, value, capsys
):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "Traceback" not in err
    assert (
        err.strip()
        .splitlines()[-1]
        .endswith(f"argument {option}: expected a number above 0, got '{value}'")
    )


# --- the terminal --------------------------------------------------------------------------

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\u202eevil"


def test_a_file_name_with_escape_sequences_is_printed_escaped(tmp_path, capsys):
    report = tmp_path / f"r{ESCAPES}.txt"
    shutil.copy(SAMPLE, report)
    status, stdout, err = build(report, tmp_path, capsys)
    assert status == 0, err
    assert "\x1b" not in stdout and "\x07" not in stdout and "\u202e" not in stdout
    assert stdout.startswith(r"r\x1b]0;pwned\x07\x1b[2J\u202eevil.txt: 下陆区")


def test_an_error_naming_such_a_file_is_one_escaped_line(tmp_path, capsys):
    report = tmp_path / f"bad{ESCAPES}\nline.txt"
    report.write_bytes(b"")
    status, _out, err = build(report, tmp_path, capsys)
    one_error(status, err, r"bad\\x1b\]0;pwned\\x07\\x1b\[2J\\u202eevil\\nline\.txt: is empty")
    assert "\x1b" not in err


# --- locales -------------------------------------------------------------------------------


def _locales() -> set[str]:
    try:
        found = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return set()
    return {line.strip().lower().replace("-", "") for line in found.stdout.splitlines()}


def _cli(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "projectmap", *argv], env={**os.environ, **env},
                          capture_output=True, cwd=cwd, timeout=300)  # fmt: skip


def _files_of(folder: Path) -> dict[str, bytes]:
    """Output bytes, with the map's random element ids made equal."""
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    files["map.html"] = re.sub(rb"[0-9a-f]{32}", b"ID", files["map.html"])
    return files


@pytest.fixture(scope="module")
def utf8_build(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("utf8") / "out"
    done = _cli(["build", str(SAMPLE), "--gazetteer", str(GAZETTEER), "-o", str(out)],
                {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}, out.parent)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return _files_of(out)


@pytest.mark.parametrize(
    ("name", "env"),
    [
        ("en_US.ISO-8859-1", {"LC_ALL": "en_US.ISO-8859-1", "LANG": "en_US.ISO-8859-1"}),
        ("zh_CN.GBK", {"LC_ALL": "zh_CN.GBK", "LANG": "zh_CN.GBK"}),
        ("latin-1 stdout", {"PYTHONIOENCODING": "latin-1", "PYTHONUTF8": "0"}),
    ],
)
def test_build_and_print_work_under_any_locale_with_the_same_bytes(name, env, utf8_build, tmp_path):
    if "LC_ALL" in env and env["LC_ALL"].lower().replace("-", "") not in _locales():
        pytest.skip(f"locale {name} is not installed (localedef -i … -f … {name})")
    out = tmp_path / "out"
    done = _cli(
        ["build", str(SAMPLE), "--gazetteer", str(GAZETTEER), "-o", str(out)], env, tmp_path
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert done.stdout.startswith(b"xialu-2022-excerpt.txt: ")
    assert _files_of(out) == utf8_build


# --- Ctrl-C --------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs process groups")
def test_ctrl_c_during_a_batch_with_three_jobs_exits_130_and_says_what_was_written(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(6):
        shutil.copy(SAMPLE, folder / f"r{n}.txt")
    out = tmp_path / "out"
    argv = [PYTHON, "-m", "projectmap", "build", str(folder), "--jobs", "3", "-o", str(out),
            "--gazetteer", str(GAZETTEER)]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, text=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("out/.r*.stage-*")) and time.monotonic() < deadline:
        time.sleep(0.02)  # until the first worker writes its folder
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C on a terminal does: the whole group
    _stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    last = stderr.strip().splitlines()[-1]
    match = re.fullmatch(r"projectmap: interrupted; (\d) of 6 reports written whole(?: \((.*)\))?; "
                         r"the others left as they were, and (.*) not written", last)  # fmt: skip
    assert match, last
    written = sorted(match[2].split(", ")) if match[2] else []
    assert int(match[1]) == len(written) and match[3] == str(out / "index.html")
    assert sorted(p.name for p in out.iterdir()) == written  # whole folders only, no leftovers
    for name in written:
        record = json.loads((out / name / "report.json").read_text(encoding="utf-8"))
        assert sorted(p.name for p in (out / name).iterdir()) == record["files"]


# --- compare inputs ------------------------------------------------------------------------

COMPARE_ERRORS = {
    "features-object": r"projects\.geojson: field 'features' is not a list; rebuild the folder$",
    "feature-number": r"projects\.geojson: feature 1: is a int, not a GeoJSON Feature$",
    "name-missing": r"projects\.geojson: feature 1: field 'name' is missing or not text$",
    "places-text": r"projects\.geojson: feature 1: field 'places' is not a list of text$",
    "geometry-garbage": r"projects\.geojson: feature 1: field 'geometry' does not parse \(\w+\)$",
    "not-json": r"not-json/projects\.geojson: is not valid JSON \(.*\); rebuild the folder$",
    "no-report-json": r"no-report-json: has no report\.json to say which region it maps; "
    r"rebuild it with `projectmap build`, or pass the report itself$",
    "region-code-missing": r"region-code-missing/report\.json: field 'region\.code' is missing "
    r"or not text; rebuild the folder$",
    "other-region": r"OLD is 黄石港区 \(420202\) and NEW is 下陆区 \(420204\); compare needs two "
    r"reports of one region",
    "properties-list": r"projects\.geojson: feature 1: field 'properties' is not an object$",
    "sentence-number": r"projects\.geojson: feature 1: field 'sentence' is not text$",
    "status-list": r"projects\.geojson: feature 1: field 'status' is not text$",
    "place-ids-numbers": r"projects\.geojson: feature 1: field 'place_ids' is not a list of text$",
}


def test_every_compare_case_has_an_outcome():
    assert sorted(p.name for p in COMPARE.iterdir()) == sorted(COMPARE_ERRORS)


@pytest.mark.parametrize("case", COMPARE_ERRORS)
def test_a_hostile_compare_input_is_one_clean_error(case, sample_folder, tmp_path, capsys):
    out = tmp_path / "cmp"
    status, _out, err = run(["compare", str(COMPARE / case), str(sample_folder), "-o", str(out),
                             "--gazetteer", str(GAZETTEER)], capsys)  # fmt: skip
    one_error(status, err, COMPARE_ERRORS[case])
    assert not out.exists()


def test_deeply_nested_compare_input_is_one_clean_error(sample_folder, tmp_path, capsys):
    folder = tmp_path / "deep"
    folder.mkdir()
    (folder / "projects.geojson").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    status, _out, err = run(["compare", str(folder), str(sample_folder)], capsys)
    one_error(status, err, r"deep/projects\.geojson: is nested too deeply to be a projectmap out")


def test_compare_of_a_report_and_a_folder_of_another_region_refuses(sample_folder, capsys):
    status, _out, err = run(["compare", str(sample_folder), str(COMPARE / "other-region"),
                             "--gazetteer", str(GAZETTEER)], capsys)  # fmt: skip
    one_error(status, err, r"OLD is 下陆区 \(420204\) and NEW is 黄石港区 \(420202\)")


# --- the batch page ------------------------------------------------------------------------


def test_the_batch_index_keeps_local_paths_out_of_failure_rows(tmp_path, capsys):
    folder = tmp_path / "private" / "reports"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    missing = folder / "missing.txt"
    out = tmp_path / "out"
    status, _out, _err = run(["build", str(folder / "good.txt"), str(folder / "empty.txt"),
                              str(missing), "--gazetteer", str(GAZETTEER), "-o", str(out)],
                             capsys)  # fmt: skip
    assert status == 1
    page = (out / "index.html").read_text(encoding="utf-8")
    assert str(tmp_path) not in page and "private" not in page
    assert "failed: missing.txt: no such file; check the path" in page
    assert "failed: empty.txt: is empty" in page


def test_without_paths_keeps_the_file_name():
    source = Path("/home/me/reports/a.txt")
    message = "/home/me/reports/a.txt: cannot be read; see C:\\Users\\me\\x.json and /tmp/y/z.txt"
    assert _index.without_paths(message, source) == "a.txt: cannot be read; see x.json and z.txt"


def test_an_input_error_names_the_file_not_its_folder():
    with pytest.raises(InputError, match=r"^/nonexistent/x\.txt: no such file"):
        _files.read_regular(Path("/nonexistent/x.txt"), max_bytes=10, kind=InputError)


def test_a_docx_in_content_controls_and_insertions_gives_the_projects_of_the_text(
    tmp_path, toolkit, sample_build
):
    """The sample as Word would save a form: every other paragraph in a content control, the
    rest typed as tracked insertions. Before, 22 projects of 29 were read."""
    from xml.sax.saxutils import escape

    from projectmap.ingest import read_report
    from projectmap.pipeline import BuildOptions, build

    title, *paragraphs = read_report(SAMPLE).text.split("\n")
    body = "".join(
        f"<w:sdt><w:sdtContent><w:p>{_run(escape(text))}</w:p></w:sdtContent></w:sdt>"
        if n % 2
        else f"<w:p><w:ins w:id='{n}' w:author='a'>{_run(escape(text))}</w:ins></w:p>"
        for n, text in enumerate(paragraphs)
    )
    path = tmp_path / "form.docx"
    path.write_bytes(_docx(body, title))
    result = build(path, options=BuildOptions(gazetteer=GAZETTEER), toolkit=toolkit)
    assert list(result.projects["name"]) == list(sample_build.projects["name"])
