"""One jieba dictionary per process, copied into each tokenizer that needs it.

A fresh ``jieba.Tokenizer`` reads its prefix dictionary (about 600,000 entries)
from jieba's cache file on ``initialize()``: about 0.3 s each time. The place
detector is rebuilt whenever a region's skeleton joins the gazetteer, and once
in each batch worker, so the dictionary is read here once per process and each
new tokenizer gets its own copy of it (``add_word`` changes the copy only).

This is a cache of a file that never changes while the process runs, not
state: every caller gets an equal, independent tokenizer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jieba

from projectmap._wordtags import word_tags


@dataclass(frozen=True)
class Dictionary:
    """jieba's prefix dictionary as ``initialize()`` reads it: frequencies and their total."""

    freq: dict[str, int]
    total: int

    @classmethod
    def load(cls) -> Dictionary:
        """Read jieba's default dictionary (from jieba's own cache file when it has one)."""
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        return cls(tokenizer.FREQ, tokenizer.total)

    def tokenizer(self) -> jieba.Tokenizer:
        """A ready tokenizer with its own copy of the dictionary."""
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ = dict(self.freq)
        tokenizer.total = self.total
        tokenizer.initialized = True
        return tokenizer


@functools.cache
def _dictionary() -> Dictionary:
    return Dictionary.load()


@functools.cache
def _tags() -> dict[str, str]:
    return word_tags()


def tokenizer() -> jieba.Tokenizer:
    """A ready ``jieba.Tokenizer``, the dictionary read at most once in this process."""
    return _dictionary().tokenizer()


def tags() -> dict[str, str]:
    """The word-tag table of :func:`projectmap._wordtags.word_tags`, read once per process.

    Callers only read it.
    """
    return _tags()
