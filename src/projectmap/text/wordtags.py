"""jieba's dictionary and the part-of-speech tags of its words, read once and cached.

jieba's ``posseg`` module reads its whole dictionary again when imported (0.4 s,
more than the rest of a build's own work). The place detector needs only each
word's tag, so the table is read here, once, and kept with jieba's prefix
dictionary in one marshal file in the temporary folder: the tag table then
shares its words with the prefix dictionary (10 MB less than two files). The
cache is keyed by jieba's version, a hash of the dictionary's bytes and the
reading rules, and the key is part of the file name, so that two installs on one
machine share it when their dictionaries agree and never evict each other's when
they do not.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jieba

from projectmap.files.safe import write_bytes_atomic

_DICTIONARY = Path(jieba.__file__).parent / "dict.txt"
_CACHE_DIR = Path(tempfile.gettempdir())
_NUMBER = re.compile(r"^[\d.%０-９]+$")
_CJK = re.compile(r"^[\u3400-\u9fff]+$")
#: Below this frequency a noun, adjective or distinguishing word is no common modifier.
RARE = 50
_RARE_IS_NEW = frozenset({"n", "a", "b"})
#: Tags that the detector treats as it treats a name jieba does not know (``nz``).
_LIKE_NEW_NAMES = frozenset({"nz", "nr", "nrt", "nrfg", "nt", "i", "l", "j", "zg", "g", "h", "k"})


def cache_key(dictionary: Path = _DICTIONARY) -> str:
    """The table's key: jieba's version, the dictionary's hash and the reading rules."""
    digest = hashlib.sha256(dictionary.read_bytes()).hexdigest()
    rules = ",".join(sorted(_LIKE_NEW_NAMES))
    return hashlib.sha256(f"{jieba.__version__}\n{digest}\n{rules}\n{RARE}".encode()).hexdigest()


@dataclass(frozen=True)
class Tables:
    """jieba's prefix dictionary (``freq``, ``total``, as ``initialize()`` makes them) and tags."""

    freq: dict[str, int]
    total: int
    tags: dict[str, str]


def load_tables(dictionary: Path = _DICTIONARY, cache_dir: Path = _CACHE_DIR) -> Tables:
    """The dictionary's prefix table and every word's tag (``东方`` → ``s``, ``发展`` → ``vn``)."""
    key = cache_key(dictionary)
    cache = cache_dir / f"projectmap-jieba-{key[:16]}.cache"
    try:
        stored_key, freq, total, tags = marshal.loads(cache.read_bytes())
        if stored_key == key and isinstance(freq, dict) and isinstance(tags, dict):
            return Tables(freq, total, tags)
    except (OSError, ValueError, EOFError, TypeError):
        pass
    with dictionary.open("rb") as handle:
        freq, total = jieba.Tokenizer.gen_pfdict(handle)
    read = _read(dictionary)
    tags = {word: read[word] for word in freq if word in read}  # the prefix table's own strings
    with contextlib.suppress(OSError):  # a read-only temporary folder costs the next run a read
        write_bytes_atomic(cache, marshal.dumps((key, freq, total, tags)))
    return Tables(freq, total, tags)


@functools.cache
def default_tables() -> Tables:
    """The tables of jieba's own dictionary, read at most once in this process."""
    return load_tables()


def word_tags(dictionary: Path | None = None, cache_dir: Path | None = None) -> dict[str, str]:
    """Every dictionary word with its tag; jieba's own dictionary's read once per process."""
    if dictionary is None and cache_dir is None:
        return default_tables().tags
    return load_tables(dictionary or _DICTIONARY, cache_dir or _CACHE_DIR).tags


def _read(dictionary: Path) -> dict[str, str]:
    """Tags by word, without the proper-noun-like ones that :func:`guess_tag` gives anyway."""
    tags = {}
    with dictionary.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) < 3 or parts[2] in _LIKE_NEW_NAMES:
                continue
            if parts[2] in _RARE_IS_NEW and int(parts[1]) < RARE:
                continue  # a rare noun or adjective reads like a new name
            tags[parts[0]] = parts[2]
    return tags


def guess_tag(word: str) -> str:
    """The tag of a word the dictionary lacks: a new name, a number or punctuation."""
    if _CJK.match(word):
        return "nz"
    if _NUMBER.match(word):
        return "m"
    return "eng" if word.isalnum() else "x"
