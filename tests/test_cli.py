import re
import subprocess
import sys

import pytest

from conftest import GAZETTEER, ROOT, SAMPLE
from projectmap.cli import _parser, main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands():
    parser = _parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
        if nested:
            yield from (f"{name} {action}" for action in nested[0].choices)
        else:
            yield name


@pytest.mark.parametrize("command", list(_commands()))
def test_every_command_is_in_the_readme(command):
    assert f"projectmap {command}" in README


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```\n(.*?)```", README, re.S).group(1)
    assert first_block.splitlines()[0].startswith("make demo")
    assert first_block.splitlines()[1].startswith("make test")


def test_build_writes_the_folder_and_prints_a_summary(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(SAMPLE), "-o", str(out), "--gazetteer", str(GAZETTEER)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {
        "map.html",
        "projects.geojson",
        "places.geojson",
        "projects.csv",
        "unresolved.csv",
    } <= names
    printed = capsys.readouterr().out
    assert "下陆区" in printed and "28 projects" in printed and "precision 1" in printed


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "no such file"), (b"", "is empty"), (b"\x00\x01" * 100, "looks binary")],
)
def test_bad_input_is_one_line_and_leaves_no_folder(tmp_path, capsys, content, expected):
    report = tmp_path / "bad.txt"
    if content is not None:
        report.write_bytes(content)
    out = tmp_path / "out"
    assert main(["build", str(report), "-o", str(out), "--gazetteer", str(GAZETTEER)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("projectmap: error: ") and "bad.txt" in err and expected in err
    assert "\n" not in err and "Traceback" not in err
    assert not out.exists()


def test_python_dash_m_works():
    done = subprocess.run(
        [sys.executable, "-m", "projectmap", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("projectmap ")


def test_a_build_from_a_folder_without_gazetteer_uses_the_built_in_skeleton(
    tmp_path, monkeypatch, capsys
):
    from conftest import SAMPLE
    from projectmap.cli import main

    monkeypatch.chdir(tmp_path)
    status = main(["build", str(SAMPLE), "-o", "out"])
    err = capsys.readouterr().err
    assert status == 0, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "built-in China admin skeleton" in lines[0]
    assert (tmp_path / "out" / "map.html").is_file()
    assert "下陆区" in (tmp_path / "out" / "report.json").read_text(encoding="utf-8")


def test_a_gazetteer_folder_given_but_missing_is_still_an_error(tmp_path, monkeypatch, capsys):
    from conftest import SAMPLE
    from projectmap.cli import main

    monkeypatch.chdir(tmp_path)
    status = main(["build", str(SAMPLE), "--gazetteer", "nowhere", "-o", "out"])
    assert status == 1
    assert "nowhere: no such gazetteer folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_closed_pipe_is_no_traceback(tmp_path):
    command = f"{sys.executable} -m projectmap build {SAMPLE} -o {tmp_path / 'out'} | head -c 1"
    done = subprocess.run(["bash", "-c", f"set -o pipefail; {command}"], capture_output=True,
                          text=True)  # fmt: skip
    assert "Traceback" not in done.stderr
    assert done.returncode in (0, 141)
    assert (tmp_path / "out" / "projects.geojson").exists()
