"""Split report text into sections, paragraphs and sentences, keeping offsets.

Chinese work reports number their parts ``一、…`` (chapters) and ``（一）…``
(sub-chapters), and open most paragraphs with a short lead sentence such as
``支持骨干企业技改提能。`` that says what the paragraph is about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CHAPTER = re.compile(r"^\s*[一二三四五六七八九十百]{1,3}\s*[、.．]")
_SUBCHAPTER = re.compile(r"^\s*[（(][一二三四五六七八九十]{1,3}[)）]")
_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』)）]*|\n")
_LEAD_MAX = 24
#: Longest sentence kept whole. A longer run (a page with no full stops) is cut at a
#: comma or space near this length, so that later stages work on bounded pieces.
_SENTENCE_MAX = 1000
_SOFT_BREAKS = frozenset("，,、：:　 \t")


@dataclass(frozen=True)
class Sentence:
    """One sentence with its place in the report.

    Attributes
    ----------
    start, end : int
        Offsets of the sentence in the report text (``text == report[start:end]``).
    text : str
        The sentence, end punctuation included.
    section : str
        The nearest chapter or sub-chapter heading above it, or ``""``.
    lead : str
        The lead sentence of its paragraph (``支持骨干企业技改提能``), or ``""``.
    is_heading : bool
        Whether the sentence is a heading or a paragraph's lead sentence.
    """

    start: int
    end: int
    text: str
    section: str = ""
    lead: str = ""
    is_heading: bool = False


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences with their section and paragraph lead."""
    sentences: list[Sentence] = []
    section = ""
    for para_start, para in _paragraphs(text):
        numbered = bool(_CHAPTER.match(para) or _SUBCHAPTER.match(para))
        lead = ""
        spans = _sentence_spans(para)
        for index, (start, end) in enumerate(spans):
            piece = para[start:end]
            if numbered and index == 0:
                section = piece.strip().rstrip("。")
                sentences.append(
                    Sentence(para_start + start, para_start + end, piece, section, "", True)
                )
                continue
            first = index == 0 or (numbered and index == 1)
            is_lead = (
                first
                and index + 1 < len(spans)
                and len(piece.strip()) <= _LEAD_MAX
                and piece.rstrip().endswith("。")
            )
            if is_lead:
                lead = piece.strip().rstrip("。")
            sentences.append(
                Sentence(
                    start=para_start + start,
                    end=para_start + end,
                    text=piece,
                    section=section,
                    lead=lead,
                    is_heading=is_lead,
                )
            )
    return sentences


def _paragraphs(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((offset, line))
        offset += len(line) + 1
    return out


def _sentence_spans(para: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(para):
        end = match.end()
        if para[start:end].strip():
            spans.extend(_capped(para, *_trimmed(para, start, end)))
        start = end
    if para[start:].strip():
        spans.extend(_capped(para, *_trimmed(para, start, len(para))))
    return spans


def _capped(para: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut into pieces of at most ``_SENTENCE_MAX`` characters."""
    spans = []
    while end - start > _SENTENCE_MAX:
        limit = start + _SENTENCE_MAX
        breaks = range(limit, limit - _SENTENCE_MAX // 2, -1)
        cut = next((i for i in breaks if para[i - 1] in _SOFT_BREAKS), limit)
        spans.append(_trimmed(para, start, cut))
        start = cut
    spans.append(_trimmed(para, start, end))
    return [(s, e) for s, e in spans if e > s]


def _trimmed(para: str, start: int, end: int) -> tuple[int, int]:
    while start < end and para[start].isspace():
        start += 1
    while end > start and para[end - 1].isspace():
        end -= 1
    return start, end
