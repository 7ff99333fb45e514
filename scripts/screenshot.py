"""Take a screenshot of a projectmap map page in headless Chromium, with no network.

The README's picture, after ``make demo`` (``tests/test_browser.py`` runs this script)::

    .venv/bin/python scripts/screenshot.py outputs/xialu-2022-excerpt/map.html docs/map.png \
        --open 团城山片排水设施综合改造

The page's folder is served on 127.0.0.1. A page built with ``--cdn`` has the
scripts it links to answered from folium-offline's copies; every other outside
request (map tiles) is refused, so the basemap shows grey and the page says so.
``--open NAME`` clicks that project in the side panel first, to show its popup.
Needs Debian's chromium and, for readable Chinese, a CJK font
(``apt-get install chromium fonts-noto-cjk``).
"""

from __future__ import annotations

import argparse
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from projectmap.output.map.elements import offline_asset

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _route(route: Any) -> None:
    url = route.request.url
    if urlsplit(url).hostname == "127.0.0.1":
        route.continue_()
    elif (asset := offline_asset(url)) is not None:
        route.fulfill(body=asset[0], content_type=asset[1])
    else:
        route.abort()


def screenshot(
    page_path: Path, out: Path, *, open_project: str | None, size: tuple[int, int]
) -> None:
    """Serve ``page_path`` locally and save a screenshot of it to ``out``."""
    handler = functools.partial(_QuietHandler, directory=str(page_path.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": size[0], "height": size[1]})
            page.route("**/*", _route)
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/{page_path.name}")
            page.wait_for_selector(".pm-panel")
            if open_project:
                page.locator(".pm-link", has_text=open_project).first.click()
                page.wait_for_selector(".leaflet-popup-content .pm-card")
            page.wait_for_timeout(800)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """Parse the command line and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path, help="a map.html written by projectmap")
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--open", dest="open_project", help="click this project in the panel")
    parser.add_argument("--size", default="1280x800", help="viewport, WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    screenshot(args.page.resolve(), args.out, open_project=args.open_project, size=(width, height))


if __name__ == "__main__":
    main()
