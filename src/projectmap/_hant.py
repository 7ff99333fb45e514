"""Read a report in traditional characters (黃石市下陸區) as simplified, for matching.

The gazetteer, the admin index and the rules are in simplified characters, so
a traditional report is converted character by character with OpenCC's table
(``data/traditional.tsv``, Apache-2.0). One character gives one, so offsets
into the converted text are offsets into the original too. A simplified
report is left alone: it is converted only when it holds characters that
simplified Chinese does not use (those outside GB2312) in some number.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

#: Fewest traditional-only characters, and their least share of the Chinese characters,
#: that make a text read as traditional.
MIN_TRADITIONAL = 3
MIN_SHARE = 0.01


@cache
def _table() -> dict[int, str]:
    """The conversion table, as :meth:`str.translate` takes it (read once; never changed)."""
    text = files("projectmap").joinpath("data/traditional.tsv").read_text(encoding="utf-8")
    table: dict[int, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            traditional, simplified = line.split("\t")
            table[ord(traditional)] = simplified
    return table


def is_traditional(text: str) -> bool:
    """Whether ``text`` is written in traditional characters."""
    table = _table()
    hanzi = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff")
    only = sum(1 for ch in text if ord(ch) in table and not _in_gb2312(ch))
    return only >= MIN_TRADITIONAL and only >= MIN_SHARE * hanzi


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def simplified(text: str) -> str:
    """``text`` in simplified characters when it is traditional; else ``text`` itself."""
    return text.translate(_table()) if is_traditional(text) else text
