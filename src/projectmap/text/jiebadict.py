"""One jieba dictionary per process, shared by the first tokenizer and copied for the others.

A fresh ``jieba.Tokenizer`` reads its prefix dictionary (about 500,000 entries,
65 MB) from jieba's cache file on ``initialize()``: about 0.3 s each time. The
place detector is rebuilt whenever a region's skeleton joins the gazetteer, and
in each batch worker, so the dictionary is read here once per process, with its
word tags (:mod:`projectmap.text.wordtags`). The first
tokenizer works on it directly and notes what its ``add_word`` calls change;
when it is gone its changes are undone in place and the next one borrows the
dictionary in turn, and a tokenizer made while another still holds it gets a
copy with those changes undone. Each tokenizer starts from jieba's own
dictionary, and a build, or a batch worker, holds one dictionary only.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any

import jieba

from projectmap.text.wordtags import Tables, default_tables

_ABSENT = object()


class _Noting(jieba.Tokenizer):  # type: ignore[misc]  # jieba has no type hints
    """A tokenizer on the shared dictionary that notes each entry's value before a change."""

    def __init__(self, freq: dict[str, int], total: int) -> None:
        super().__init__()
        self.FREQ, self.total, self.initialized = freq, total, True
        self.before: dict[str, Any] = {}

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        for end in range(1, len(word) + 1):  # the word and the prefixes jieba adds
            self.before.setdefault(word[:end], self.FREQ.get(word[:end], _ABSENT))
        super().add_word(word, freq, tag)


class Dictionary:
    """jieba's prefix dictionary, lent to one tokenizer and copied for the rest, and its tags."""

    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._lent: weakref.ref[_Noting] | None = None
        self._changes: dict[str, Any] = {}  # what the last borrower changed, to undo

    @property
    def tags(self) -> dict[str, str]:
        """Each dictionary word's tag; callers only read it."""
        return self._tables.tags

    def tokenizer(self) -> jieba.Tokenizer:
        """A ready tokenizer that starts from jieba's dictionary and changes no other.

        The dictionary itself is lent to one tokenizer at a time; once that one is
        gone (a detector rebuilt for a new region), its changes are undone in place
        and the dictionary is lent again. Meanwhile, others get a copy.
        """
        borrower = self._lent() if self._lent is not None else None
        if borrower is not None:
            freq = dict(self._tables.freq)
            _undo(freq, self._changes)
            tokenizer = jieba.Tokenizer()
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, self._tables.total, True
            return tokenizer
        _undo(self._tables.freq, self._changes)
        lent = _Noting(self._tables.freq, self._tables.total)
        self._lent, self._changes = weakref.ref(lent), lent.before
        return lent


def _undo(freq: dict[str, int], changes: dict[str, Any]) -> None:
    """Put back each entry's value from before the changes (remove those that were absent)."""
    for word, value in changes.items():
        if value is _ABSENT:
            freq.pop(word, None)
        else:
            freq[word] = value


@functools.cache
def _dictionary() -> Dictionary:
    return Dictionary(default_tables())  # one lender per table: the tables are cached too


def tokenizer() -> jieba.Tokenizer:
    """A ready ``jieba.Tokenizer``, the dictionary read at most once in this process."""
    return _dictionary().tokenizer()


def tags() -> dict[str, str]:
    """The tags of jieba's dictionary words, read at most once in this process."""
    return _dictionary().tags
