"""Placing by hand in ``map.html``: the places to place, and the page's tool for it.

Every place a build left unresolved or placed only at district level (precision
3 or coarser) is listed with a "place it" action (``assets/place.js``). The page
collects the user's points, lines and polygons and saves them as a gazetteer
patch; ``projectmap gazetteer import`` merges it, and the next build draws those
projects at precision 1. The tool's script and styles are inlined, so it works
with no network and no server.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from projectmap.output.map.elements import script_json
from projectmap.places.needs import COARSE, type_from_name
from projectmap.places.result import BuildResult


class PlaceTool(MacroElement):
    """The page's "place by hand" box (``assets/place.js``, ``assets/place.css``) and its data."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
            <script>{{ this.js }}</script>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = projectmapPlace({{ this._parent.get_name() }},
                {{ this.data_json }});
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca has no type hints
        self._name = "ProjectmapPlace"
        self.data_json = script_json(data)
        assets = resources.files("projectmap.output.map").joinpath("assets")
        self.js = assets.joinpath("place.js").read_text("utf-8").replace("</script", "<\\/script")
        self.css = assets.joinpath("place.css").read_text("utf-8")


def placing_data(result: BuildResult, *, datum: str) -> dict[str, Any]:
    """The page's data: the region, the datum the map is drawn in, and the places to place."""
    return {
        "region": {"code": result.region.id, "name": result.region.name},
        "report": result.report.source,
        "datum": datum,
        "places": places_to_place(result),
    }


def places_to_place(result: BuildResult) -> list[dict[str, Any]]:
    """Each name unresolved or placed at precision 3 or coarser, once, in report order."""
    counts: Counter[str] = Counter()
    first: dict[str, dict[str, Any]] = {}
    for place in result.located_places:
        if place.precision is not None and place.precision < COARSE:
            continue
        name = (place.name or place.mention).strip()
        counts[name] += 1
        first.setdefault(name, {
            "name": name, "mention": place.mention, "sentence": place.sentence,
            "type": _known_type(place.type) or type_from_name(name),
            "precision": place.precision,
        })  # fmt: skip
    return [dict(place, count=counts[name]) for name, place in first.items()]


def _known_type(value: str | None) -> str | None:
    if value is None or value in ("admin", "township", "community", ""):
        return None
    return value


def add_place_tool(m: folium.Map, result: BuildResult, *, datum: str) -> None:
    """Add the "place by hand" box to a map drawn in ``datum`` (``wgs84`` or ``gcj02``)."""
    PlaceTool(placing_data(result, datum=datum)).add_to(m)
