"""The map of a build, and of a comparison.

``render`` draws ``map.html`` from ``data`` (what is drawn), ``page`` (what the page's
script reads), ``style`` (the categories' colours and glyphs) and ``elements`` (the
page's scripts and styles, inlined for offline use); ``handplace`` adds the "place by
hand" box. ``compare`` draws its map with the same ``render.map_html``.
"""
