"""Render a folium page with its elements' output kept as text, never compiled again.

Private to :mod:`projectmap.output.map.render`. branca renders each element's
``header``, ``html`` and ``script`` macros and wraps their output in
``Element(output)``, which compiles that output as a Jinja template and renders
it a second time: about forty compilations per map (25 of the 27 ms of rendering
a page), and whatever the output holds is evaluated. Report text that reaches the
page (``{{ 7*7 }}`` in a project's sentence) was run as a template, and ``{%``
in it failed the build.

:func:`page_html` renders a figure while the name ``Element`` in
``branca.element``, which its ``Div.render`` and ``MacroElement.render`` call,
makes a :class:`MacroText` of rendered text: the text as a template without
syntax renders it. Any other call makes a plain ``Element``, as before. Only
that one name is rebound, only during the call, under a lock, and it is put back
on return or on any exception; a page rendered by another thread with plain
``render()`` at that moment would get text elements too. ``tests/test_macrotext.py``
fails when branca stops calling that name, so a new branca cannot make this
silently do nothing.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import branca.element
from branca.element import Element

__all__ = ["MacroText", "page_html"]

_NEWLINES = re.compile(r"\r\n|\r")
_LOCK = threading.Lock()


class MacroText(Element):
    """An element that renders as the text it was given, with Jinja's newline handling.

    Jinja renders a template of plain text with its newlines normalised to LF
    and one trailing newline dropped; so does this, so that pages are byte for
    byte what they were when the text holds no template syntax.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "MacroText"
        text = _NEWLINES.sub("\n", text)
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, **kwargs: Any) -> str:
        """The text, as given (its children, if any, are not rendered)."""
        return self.text


def _element(template: str | None = None, template_name: str | None = None) -> Element:
    """``branca.element.Element`` while a page renders: rendered text stays text."""
    if template is not None and template_name is None:
        return MacroText(template)
    return Element(template, template_name)


def page_html(figure: Element) -> str:
    """The page of ``figure`` (``m.get_root()``), each element's output kept as text."""
    with _LOCK:
        saved = branca.element.Element
        branca.element.Element = _element  # type: ignore[misc, assignment]
        try:
            page: str = figure.render()
        finally:
            branca.element.Element = saved  # type: ignore[misc]
    return page
