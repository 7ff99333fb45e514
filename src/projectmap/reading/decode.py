"""Decode report bytes into text without losing a character.

UTF-8, GB18030/GBK, UTF-16 or UTF-32 (with a byte-order mark or without), or
another encoding that charset-normalizer recognises, trusted only when the
text reads as Chinese. Binary data and broken encodings are refused.
"""

from __future__ import annotations

from projectmap.errors import InputError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"\x84\x31\x95\x33", "gb18030"),
)
#: Share of non-ASCII characters that must be common (GB2312) ones to trust GB18030.
_COMMON_HANZI_SHARE = 0.95


def decode(data: bytes, *, name: str, declared: str | None = None) -> str:
    """Decode report bytes without losing a character.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32, GB18030), the charset an
    HTML page declares, strict UTF-8, strict GB18030 when it gives common
    Chinese characters, then charset-normalizer's guess (Big5, say), decoded
    strictly too.

    Raises
    ------
    InputError
        When the bytes are binary or no encoding decodes them without loss.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _strict(data, codec, name).removeprefix("\ufeff")
    if b"\x00" in data[:4096]:
        if (text := _utf16_without_bom(data)) is not None:
            return text
        raise InputError(f"{name}: looks binary (NUL bytes); pass a text, HTML, Word or PDF report")
    if (text := _text_or_none(data, declared)) and _reads_as_chinese(text):
        return text
    if text := _text_or_none(data, "utf-8"):
        return text
    gb18030 = _text_or_none(data, "gb18030")
    if gb18030 and _common_hanzi_share(gb18030) >= _COMMON_HANZI_SHARE:
        return gb18030
    text = _detected(data) or gb18030
    if text is None:
        if _cut_short(data):
            raise InputError(
                f"{name}: ends in the middle of a character, so it was cut short; "
                "save or download it again"
            )
        raise InputError(
            f"{name}: is neither UTF-8 nor GBK/GB18030 text; convert it to UTF-8 and try again"
        )
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """Text in UTF-16 without a byte-order mark, told by where its ASCII's NUL bytes fall."""
    head = data[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    codec = "utf-16-le" if odd > even else "utf-16-be"
    if len(data) % 2 or max(even, odd) < 4 * min(even, odd) + 1:
        return None
    text = _text_or_none(data, codec)
    return text if text is not None and _reads_as_chinese(text) else None


def _cut_short(data: bytes) -> bool:
    """Whether the bytes decode as UTF-8 or GB18030 but for a character cut at the end."""
    for codec in ("utf-8", "gb18030"):
        for cut in (1, 2, 3):
            if len(data) > cut and _text_or_none(data[:-cut], codec):
                return True
    return False


def _text_or_none(data: bytes, codec: str | None) -> str | None:
    """``data`` decoded strictly, when it decodes to text (not control characters)."""
    if not codec:
        return None
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _mostly_text(text) else None


def _common_hanzi_share(text: str) -> float:
    """How much of the non-ASCII text is in GB2312, the common simplified characters."""
    wide = sum(1 for ch in text if ord(ch) > 0x7F)
    if wide == 0:
        return 1.0
    common = (len(text.encode("gb2312", errors="ignore")) - (len(text) - wide)) / 2
    return common / wide


def _detected(data: bytes) -> str | None:
    """Text in the encoding charset-normalizer finds, when it reads as Chinese."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    text = _text_or_none(data, best.encoding if best else None)
    return text if text is not None and _reads_as_chinese(text) else None


def _reads_as_chinese(text: str) -> bool:
    """Whether most non-ASCII characters are Chinese ones (true of pure ASCII too)."""
    wide = [ch for ch in text if ord(ch) > 0x7F and not ch.isspace()]
    hanzi = sum(1 for ch in wide if "\u3400" <= ch <= "\u9fff")
    return hanzi >= len(wide) / 2


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: broken {codec} at byte {exc.start}; re-save the file") from exc


def _mostly_text(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= max(2, len(text) // 200)
