"""The map page's own script and elements, and the inlining of assets for offline maps.

No module of ``folium.plugins`` is imported: importing one runs that package's
``__init__``, which imports every plugin. :class:`PinCluster` is the few lines of
Leaflet.markercluster glue this map needs; the search box is ``assets/map.js``'s own.

Private to :mod:`projectmap.output.map.render`. Report data enters the page only through
:func:`script_json`; ``assets/map.js`` then writes it with ``textContent``.

Offline maps take the exact files folium links to from the ``folium-offline``
package, which ships them keyed by folium's CDN addresses.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template
from folium.utilities import JsCode

from projectmap.errors import MapError

_SCRIPT_LINK = re.compile(r'<script src="(?P<url>https?://[^"]+)"></script>')
_STYLE_LINK = re.compile(r'<link rel="stylesheet" href="(?P<url>https?://[^"]+)"\s*/?>')
#: Where folium links Leaflet.markercluster from (folium-offline ships these files).
_MARKERCLUSTER = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0"
_REMOTE = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]+"')


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>``: no ``<``, ``>``, ``&``, ``'`` or U+2028."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(char, escape)
    return text


def _asset(name: str) -> str:
    return resources.files("projectmap.output.map").joinpath("assets", name).read_text("utf-8")


class MapApp(MacroElement):
    """The page's script (``assets/map.js``), its styles and its data, as one JS object."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <link rel="icon" href="data:,">
            <style>{{ this.css }}</style>
            <script>{{ this.js }}</script>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = projectmapApp({{ this._parent.get_name() }},
                {{ this.data_json }});
        {% endmacro %}
        """
    )

    def __init__(self, data: Mapping[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca has no type hints
        self._name = "ProjectmapApp"
        self.data_json = script_json(data)
        self.js = _asset("map.js")
        self.css = _asset("map.css")

    def on_each_feature(self) -> JsCode:
        """The GeoJson hook that gives a feature its icon, tooltip and popup."""
        return JsCode(f"function (feature, layer) {{ {self.get_name()}.bind(feature, layer); }}")

    def cluster_icon(self, category: str) -> str:
        """The marker cluster icon function of a category (its colour and a count)."""
        name = script_json(category)
        return f"function (c) {{ return {self.get_name()}.clusterIcon(c, {name}); }}"


class PinCluster(JSCSSMixin, Layer):
    """A Leaflet.markercluster group for a category's pins, with the category's own icon."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.markerClusterGroup({
                showCoverageOnHover: false, maxClusterRadius: 40,
                iconCreateFunction: {{ this.icon_function }}
            });
            {{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
        {% endmacro %}
        """
    )
    default_js = [("markerclusterjs", f"{_MARKERCLUSTER}/leaflet.markercluster.js")]  # noqa: RUF012
    default_css = [  # noqa: RUF012
        ("markerclustercss", f"{_MARKERCLUSTER}/MarkerCluster.css"),
        ("markerclusterdefaultcss", f"{_MARKERCLUSTER}/MarkerCluster.Default.css"),
    ]

    def __init__(self, icon_function: str) -> None:
        super().__init__(name=None, overlay=True, control=False, show=True)
        self._name = "PinCluster"
        self.icon_function = icon_function


class Finish(MacroElement):
    """Hands the category layers and the region outline to the page, which adds the panels."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this.app }}.finish({
            {%- for category, group, cluster in this.groups %}
                {{ category|tojson }}: {group: {{ group }}, cluster: {{ cluster }}},
            {%- endfor %}
            }, {{ this.region }});
        {% endmacro %}
        """
    )

    def __init__(
        self, app: MapApp, groups: Sequence[tuple[str, str, str | None]], region: str | None
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca has no type hints
        self._name = "ProjectmapFinish"
        self.app = app.get_name()
        self.groups = [(cid, group, cluster or "null") for cid, group, cluster in groups]
        self.region = region or "null"


def offline_asset(url: str) -> tuple[str, str] | None:
    """The text and content type of a CDN asset folium links to, if folium-offline ships it."""
    text = _offline_assets().get(url)
    if text is None:
        return None
    kind = "text/css" if url.endswith(".css") else "application/javascript"
    return text, kind


def _offline_assets() -> Mapping[str, str]:
    try:
        module = importlib.import_module("offlinefolium.elements")
    except ImportError as exc:
        raise MapError(
            "an offline map needs the folium-offline package; install it with "
            "`pip install folium-offline`"
        ) from exc
    assets: Mapping[str, str] = module._res
    return assets


def inline_assets(page: str) -> str:
    """Replace every CDN ``<script>`` and stylesheet link of a page by the file's text.

    Raises
    ------
    MapError
        When an asset is not shipped by folium-offline (a folium of another version).
    """
    missing: list[str] = []

    def inline(match: re.Match[str], tag: str) -> str:
        found = offline_asset(match["url"])
        if found is None:
            missing.append(match["url"])
            return match[0]
        body = found[0].replace(f"</{tag}", f"<\\/{tag}")
        return f"<{tag}>{body}</{tag}>"

    page = _SCRIPT_LINK.sub(lambda m: inline(m, "script"), page)
    page = _STYLE_LINK.sub(lambda m: inline(m, "style"), page)
    stray = _REMOTE.search(page)
    if missing or stray:
        what = missing[0] if missing else stray[0] if stray else ""
        raise MapError(
            f"cannot make the map work offline: folium-offline does not ship {what}; "
            "install the folium version that folium-offline mirrors (see pyproject.toml)"
        )
    return page
