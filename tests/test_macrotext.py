"""The map page is rendered with each element's output kept as text (output/_macrotext.py).

The first tests pin the branca internals the module relies on: they fail when a
new branca stops wrapping macro output in ``Element(text)`` looked up by name.
"""

from __future__ import annotations

import re

import branca.element
import folium
import jinja2
import pytest
from branca.element import Div, Element, MacroElement
from folium.template import Template

from conftest import SAMPLE
from projectmap.output.map._macrotext import MacroText, page_html
from projectmap.output.map.render import render_map
from projectmap.pipeline import build_to_folder


class _Echo(MacroElement):
    """An element whose script is its text, as report text reaches the page."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.text }}{% endmacro %}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def _page_with(text: str) -> folium.Map:
    m = folium.Map(tiles=None)
    _Echo(text).add_to(m)
    return m


def test_branca_looks_up_element_by_name_when_it_wraps_macro_output():
    for render in (MacroElement.render, Div.render):
        assert "Element" in render.__code__.co_names


def test_branca_alone_runs_macro_output_as_a_template():
    """What the module exists to stop: without it the text is evaluated."""
    page = _page_with("var a = '{{ 6 * 7 }}';").get_root().render()
    assert "var a = '42';" in page


def test_macro_output_stays_text():
    page = page_html(_page_with("var a = '{{ 6 * 7 }}'; // {% raw %} {# x").get_root())
    assert "var a = '{{ 6 * 7 }}'; // {% raw %} {# x" in page


def test_newlines_as_jinja_renders_them():
    text = "a\r\nb\rc\n\n"
    assert MacroText(text).render() == Template(text).render() == "a\nb\nc\n"


def _renumbered(page: str) -> str:
    """Folium's random element ids numbered in order of appearance."""
    ids: dict[str, str] = {}
    return re.sub(
        r"_[0-9a-f]{32}(?![0-9a-f])", lambda m: ids.setdefault(m[0], f"_{len(ids)}"), page
    )


def test_the_page_is_what_branca_renders_when_no_text_holds_template_syntax(sample_build):
    ours = page_html(render_map(sample_build).get_root())
    theirs = render_map(sample_build).get_root().render()
    assert "{{" not in ours
    assert _renumbered(ours) == _renumbered(theirs)


def test_the_binding_is_put_back_even_after_an_error():
    class Broken(MacroElement):
        _template = Template("{% macro script(this, kwargs) %}{{ this.nope() }}{% endmacro %}")

    m = folium.Map(tiles=None)
    Broken().add_to(m)
    with pytest.raises(jinja2.UndefinedError):
        page_html(m.get_root())
    assert branca.element.Element is Element


def test_report_text_with_template_syntax_reaches_the_map_as_written(tmp_path, toolkit):
    text = SAMPLE.read_text(encoding="utf-8")
    assert "新兴管业超低排放项目" in text
    report = tmp_path / "report.txt"
    report.write_text(
        text.replace("新兴管业超低排放项目", "新兴管业{{ 7*7 }}{% raw %}超低排放项目")
    )
    build_to_folder(report, tmp_path / "out", toolkit=toolkit)
    page = (tmp_path / "out" / "map.html").read_text(encoding="utf-8")
    assert "新兴管业{{ 7*7 }}{% raw %}超低排放项目" in page
    assert "新兴管业49" not in page
