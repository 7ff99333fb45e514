"""A batch's progress on a terminal: a bar that redraws, or one line a report elsewhere."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from projectmap._batch_index import Outcome


class Progress:
    """Shows a batch's progress on ``stream``: a bar on a terminal, else one line a report.

    A failed report gets one ``projectmap: error: …`` line either way.
    """

    def __init__(self, total: int, stream: TextIO | None = None, *, width: int = 30) -> None:
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def start(self) -> None:
        """Draw the empty bar (on a terminal)."""
        if self.tty:
            self._bar("")

    def __call__(self, outcome: Outcome) -> None:
        """Record one finished report."""
        self.done += 1
        if self.tty:
            self.stream.write("\r\x1b[K")
        if not outcome.ok:
            self.stream.write(f"projectmap: error: {outcome.error}\n")
        elif not self.tty:
            self.stream.write(f"projectmap: [{self.done}/{self.total}] {outcome.source.name}\n")
        if self.tty:
            self._bar(outcome.source.name)
        self.stream.flush()

    def _bar(self, name: str) -> None:
        filled = self.width * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if self.done == self.total else ""
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {name}{end}")
        self.stream.flush()
