r"""The command's terminal: what it prints, safe anywhere, and how it is stopped.

File names and report text can hold control characters: an escape sequence
in a file name would otherwise be run by the terminal (retitle it, move the
cursor, hide text), and a right-to-left override would make a name read
backwards. Every such character is shown escaped (``\x1b``, ``\u202e``).
A terminal whose locale cannot show a character (Chinese under
``en_US.ISO-8859-1``) gets it escaped too, instead of a crash.

SIGTERM stops a command as Ctrl-C does, so that temporary files and staging
folders are removed on that way out too.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

#: C0 and C1 controls (but tab, line feed and carriage return), DEL, and bidi controls.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
#: The one sequence projectmap itself writes: erase the line (the progress bar's redraw).
_ERASE_LINE = "\x1b[K"


def escaped(text: str) -> str:
    """``text`` with every control character written as a Python escape."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class SafeStream:
    """A text stream that escapes control characters and what its encoding cannot write."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        """Write ``text`` escaped (the progress bar's own erase-line sequence kept)."""
        safe = _ERASE_LINE.join(escaped(part) for part in text.split(_ERASE_LINE))
        with suppress(LookupError):
            safe = safe.encode(self._encoding, "backslashreplace").decode(self._encoding)
        return self._stream.write(safe)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def safe_streams() -> Iterator[None]:
    """Make ``sys.stdout`` and ``sys.stderr`` :class:`SafeStream` for the block."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def one_line(text: str) -> str:
    """``text`` escaped and on one line: its line breaks written as backslash escapes."""
    return escaped(text).replace("\r", "\\r").replace("\n", "\\n")


@contextmanager
def stop_signals_as_interrupts() -> Iterator[None]:
    """Make SIGTERM stop the block like Ctrl-C, so that it cleans up as after Ctrl-C."""
    if not hasattr(signal, "SIGTERM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_number: int, _frame: object) -> None:
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)
