"""How the map shows categories: labels, colours and pin glyphs.

Private to :mod:`projectmap.output.map.render`. Labels and colours come from the
categories the build classified by (``rules/categories.json``, or the user's copy),
and colours are checked to be hex colours, so that they can be written into SVG; the
glyphs are projectmap's own constants.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from projectmap.text.classify import Category

#: 24×24 SVG glyphs drawn inside the pins, keyed by the icon names of categories.json.
ICON_PATHS = {
    "industry": "M2 21V10l6 3.5V10l6 3.5V3h5v18z",
    "building": "M3 21V9h7v12zM12 21V3h9v18zM14 6v2h2V6zm3 0v2h2V6zm-3 4v2h2v-2zm3 0v2h2v-2z",
    "shopping-cart": "M1 5h13v10H1zM15 8h4l3 4v3h-7zM5 16a2 2 0 1 0 .01 0zM18 16a2 2 0 1 0 .01 0z",
    "road": "M2 9h20v3H2zM4 12h3v9H4zm13 0h3v9h-3zM2 7c5-5 15-5 20 0h-3c-4-3-10-3-14 0z",
    "home": "M12 2 1 12h3v9h6v-6h4v6h6v-9h3z",
    "leaf": "M21 2C9 2 3 8 3 15c0 2 .6 4 1.6 5.5L6.5 19c-.6-1-1-2.4-1-4 3.5-4 7.5-6 11.5-7-3.5 2"
    "-6.5 5-8.5 10 1.2.6 2.7 1 4.5 1C19 19 22 12 21 2z",
    "heart": "M12 21 3 12a5.5 5.5 0 0 1 9-6.5A5.5 5.5 0 0 1 21 12z",
}
_DEFAULT_ICON = "M12 5a7 7 0 1 0 .01 0z"
_DEFAULT_COLOR = "#636363"
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


@dataclass(frozen=True)
class CategoryStyle:
    """How the map shows one project category: label, hex colour and SVG glyph path.

    The category itself, with its keywords, is :class:`projectmap.text.classify.Category`.
    """

    id: str
    label: str
    color: str
    icon: str


def categories(classified: Iterable[Category]) -> dict[str, CategoryStyle]:
    """The map's categories by id, with the labels and colours of the build's categories.

    Parameters
    ----------
    classified : iterable of Category
        The categories the build's classifier used (``BuildResult.categories``).
    """
    return {
        c.id: CategoryStyle(
            c.id,
            c.label,
            c.color if _HEX_COLOR.fullmatch(c.color) else _DEFAULT_COLOR,
            ICON_PATHS.get(c.icon, _DEFAULT_ICON),
        )
        for c in classified
    }


def with_labels_of(
    labelled: Iterable[tuple[str, str]], cats: dict[str, CategoryStyle]
) -> dict[str, CategoryStyle]:
    """The categories, labelled as the build labelled them (``(id, label)`` pairs).

    Unknown ids get grey and a dot.
    """
    for cid, label in labelled:
        known = cats.get(cid)
        if known is None:
            cats[cid] = CategoryStyle(cid, label or cid, _DEFAULT_COLOR, _DEFAULT_ICON)
        elif label and label != known.label:
            cats[cid] = dataclasses.replace(known, label=label)
    return cats
