"""Find report text that became markup or script in an HTML page.

Report text may reach a page only escaped: as JSON in a script (``<`` written
``\\u003c``, quotes with a backslash) or as HTML text (``&lt;``). So a raw
``<script>alert(1)`` or an unescaped ``";alert(1)`` anywhere in the page means
report text became markup or code.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Handlers(HTMLParser):
    """Every event-handler and ``javascript:`` attribute of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {key}={value}>")


def injected(page: str, fragments: tuple[str, ...], payloads: tuple[str, ...] = ()) -> list[str]:
    """What of the report reached ``page`` as markup or code; empty when nothing did.

    Parameters
    ----------
    fragments
        Report text that must not appear unescaped (not after a backslash, which
        is how JSON escapes a quote).
    payloads
        Code (``alert(6)``) that must not appear in any handler attribute.
    """
    found = []
    for fragment in fragments:
        for match in re.finditer(re.escape(fragment), page, flags=re.IGNORECASE):
            if page[max(match.start() - 1, 0) : match.start()] != "\\":
                found.append(f"raw {fragment!r} at {match.start()}")
                break
    handlers = _Handlers()
    handlers.feed(page)
    handlers.close()
    found += [h for h in handlers.found if any(p in h for p in payloads)]
    return found
