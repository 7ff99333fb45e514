"""Attach geometry to projects and place mentions: the stage where text becomes GeoDataFrames.

From here on one :class:`BuildResult` flows to export and render. Its two
GeoDataFrames (WGS-84, EPSG:4326) have these columns, in this order.

``projects``
    id, name, category, category_label, status, amount, section, sentence,
    places (list of mentions as written), place_ids (gazetteer ids), precision,
    precision_label, start, end, geometry (None when no place resolved).

``places``
    id, mention, name, gazetteer_id, type, precision, precision_label, reason,
    explanation, project_ids (list), sentence, start, end, geometry.

``start``/``end`` are character offsets into ``BuildResult.report.text``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from projectmap.gazetteer import Entry
from projectmap.ingest import Report

PROJECT_COLUMNS = (
    "id", "name", "category", "category_label", "status", "amount", "section", "sentence",
    "places", "place_ids", "precision", "precision_label", "start", "end", "geometry",
)  # fmt: skip
PLACE_COLUMNS = (
    "id", "mention", "name", "gazetteer_id", "type", "precision", "precision_label", "reason",
    "explanation", "project_ids", "sentence", "start", "end", "geometry",
)  # fmt: skip

#: Geographic precision codes (IATI / UCDP-AidData scale) and their words.
PRECISION_LABELS = {
    1: "exact site",
    2: "near, or in the area of, a known place",
    3: "somewhere in the county or district",
    4: "somewhere in the province",
    5: "estimated",
    6: "somewhere in the country",
    7: "unclear",
    8: "seat of government",
}


@dataclass(frozen=True)
class BuildResult:
    """Everything one build produced, ready to export and render.

    Attributes
    ----------
    report : Report
        The cleaned report with its title, issuer and date.
    region : Entry
        The issuing government's area; its geometry is drawn as context.
    projects, places : geopandas.GeoDataFrame
        See the module docstring for their columns.
    """

    report: Report
    region: Entry
    projects: gpd.GeoDataFrame
    places: gpd.GeoDataFrame

    @property
    def unresolved(self) -> gpd.GeoDataFrame:
        """Place mentions with no gazetteer entry."""
        return self.places[self.places["gazetteer_id"].isna()]
