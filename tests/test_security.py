"""Security: no network unless asked, and report text never becomes markup or script."""

from __future__ import annotations

import socket

import pytest

from conftest import GAZETTEER, SAMPLE
from markup import injected
from projectmap.cli import main
from projectmap.output.map.render import map_html, render_map


class NetworkUsed(OSError):
    """Raised by the patched socket functions."""


@pytest.fixture
def no_network(monkeypatch) -> list[str]:
    """Every way to open a connection raises, and is recorded."""
    attempts: list[str] = []

    def refuse(name: str):
        def refused(*args, **_kwargs):
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise NetworkUsed(f"{name} called: the build must not use the network")

        return refused

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return attempts


@pytest.mark.parametrize(
    "options",
    [[], ["--cdn"], ["--basemap", "amap"], ["--basemap", "tianditu", "--tianditu-key", "k"]],
    ids=["default", "cdn", "amap", "tianditu"],
)
def test_a_build_makes_no_network_request(options, no_network, tmp_path, capsys):
    """The whole command in-process: toolkit loading, build, export and map."""
    argv = ["build", str(SAMPLE), "--gazetteer", str(GAZETTEER), "-o", str(tmp_path / "out")]
    status = main([*argv, *options])
    err = capsys.readouterr().err
    assert status == 0, err
    assert no_network == []
    assert (tmp_path / "out" / "projects.gpkg").is_file()


def test_the_patch_does_catch_a_request(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80), timeout=1)
    assert no_network


# --- report text in map.html ---------------------------------------------------------------

#: Pieces of conftest's HOSTILE_SENTENCE, HOSTILE_NAME and place m06 that must stay text.
FRAGMENTS = (
    "<script>alert(1)",
    "</script><img",
    "<img src=x onerror",
    "<b>\\0</b>",
    '"双引号"',
    "'单引号'",
)


@pytest.mark.parametrize("cdn", [True, False], ids=["cdn", "offline"])
@pytest.mark.parametrize("basemap", ["osm", "amap"])
def test_report_text_never_becomes_markup(sample_result, basemap, cdn):
    page = map_html(render_map(sample_result, basemap=basemap), cdn=cdn)
    assert injected(page, FRAGMENTS, ("alert",)) == []
    assert "alert(1)" in page and "alert(3)" in page  # the text is there, escaped


def test_the_markup_check_finds_injections():
    assert injected("<p><script>alert(1)</script></p>", FRAGMENTS)
    assert injected('<img src=x onerror="alert(2)">', (), ("alert",))
    assert injected('<script>var s = "say "双引号"";</script>', FRAGMENTS)
    assert injected('<script>var s = "say \\"双引号\\"";</script>', FRAGMENTS) == []
