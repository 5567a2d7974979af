"""One encoding policy for every text input: rulesets, records, rosters, case files.

Every text file — YAML, JSON, JSON Lines, CSV — is decoded the same way (docs/rosters.md,
"Encoding"): a UTF-8 or UTF-16 BOM decides; otherwise the bytes are tried strictly as UTF-8,
then as GB18030 (the superset of GBK that Chinese Windows saves by default); a tie goes to
UTF-8; binary data is refused. A roster is read in streaming, row by row, so a row with a
few bad bytes is reported and the rest read; a YAML or JSON document is one piece, so a bad
byte refuses the file at its line and column.

>>> decode_text("学校: 第一中学\\n".encode("gbk"), "plan.yaml")
'学校: 第一中学\\n'
>>> decode_text("学校: 第一中学\\n".encode("utf-8"), "plan.yaml")
'学校: 第一中学\\n'
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from ..errors import InputError, Problem

__all__ = ["AUTO_CODEC", "decode_text", "detect_encoding", "encoding_name"]


def _refuse(file: str, zh: str, en: str, **where: int) -> InputError:
    return InputError([Problem(file, zh, en, code="encoding", **where)])  # type: ignore[arg-type]


def detect_encoding(file: str, head: bytes, complete: bool) -> str:
    """The codec for a file whose first bytes are ``head`` (``complete``: the whole file).

    UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030; binary data is refused. A
    sample that is plain ASCII decides nothing: the file is then read with a codec that picks
    UTF-8 or GB18030 at the first non-ASCII bytes it meets.

    >>> detect_encoding("r.csv", "工号,姓名\\n".encode("gbk"), complete=True)
    'gb18030'
    """
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        if b"\x00" in head:
            raise _binary(file)
        if head.isascii() and not complete:
            encoding = AUTO_CODEC
        else:
            encoding = _best_encoding(file, head, complete)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
    if controls > max(2, len(text) // 100):
        raise _binary(file)
    return encoding


def _binary(file: str) -> InputError:
    return _refuse(file, "这是二进制文件,不是文本(含有 NUL 字节或控制字符)",
                   "this is a binary file, not text (it contains NUL bytes or control characters)")


def _best_encoding(file: str, head: bytes, complete: bool) -> str:
    """The candidate that decodes the sample strictly, else the one with a few bad bytes only."""
    # GB18030 decodes nearly any bytes, UTF-8 ones too (张三 → 寮犱笁): text that is mostly
    # valid UTF-8 with a stray bad byte or two is UTF-8, its bad rows reported one by one
    # (GBK read as UTF-8 gives almost no valid character: bad runs outnumber them)
    utf8 = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(head, final=complete)
    bad = len(re.findall("\ufffd+", utf8))  # runs: one stray byte sequence counts once
    # only CJK counts as evidence: GBK bytes read as UTF-8 do make a few valid characters (学
    # is D1 A7, which UTF-8 reads as Cyrillic ѧ), but almost never three-byte CJK ones
    good = sum(1 for ch in utf8 if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    if bad and good >= 2 and good >= 2 * bad:
        return "utf-8-sig"
    misses: list[tuple[int, str]] = []
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(candidate)(errors="strict").decode(head, final=complete)
            return candidate
        except UnicodeDecodeError:
            text = codecs.getincrementaldecoder(candidate)(errors="replace").decode(head)
            misses.append((text.count("\ufffd"), candidate))
    count, candidate = min(misses, key=lambda m: (m[0], m[1] != "utf-8-sig"))  # tie: UTF-8
    if count <= max(1, len(head) // 1000):
        return candidate  # rows with the bad bytes are reported one by one
    raise _refuse(file, "无法识别文件编码(应为 UTF-8 或 GBK/GB18030);请另存为 UTF-8",
                  "unknown text encoding (expected UTF-8 or GBK/GB18030); save it as UTF-8")


#: how much of a file decides its encoding (a roster is then streamed with it)
SAMPLE_BYTES = 256 * 1024


def decode_text(raw: bytes, file: str) -> str:
    """A whole document's text, by the one policy; a bad byte refuses it at its place."""
    encoding = detect_encoding(file, raw[:SAMPLE_BYTES], complete=len(raw) <= SAMPLE_BYTES)
    if encoding == AUTO_CODEC:  # an ASCII head: the whole text decides, UTF-8 first
        encoding = "utf-8" if _decodes(raw, "utf-8") else "gb18030"
    if b"\x00" in raw and not encoding.startswith("utf-16"):
        raise _binary(file)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[start : exc.start].decode(encoding, errors="replace")) + 1
        name = encoding_name(encoding)
        raise _refuse(
            file,
            f"文件不是有效的 {name} 编码(第 {exc.start} 字节无效);请另存为 UTF-8",
            f"the file is not valid {name} (invalid byte at offset {exc.start}); save it as UTF-8",
            line=line,
            column=column,
        ) from None


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


AUTO_CODEC = "ict2rules_utf8_or_gb18030"


class _AutoDecoder(codecs.IncrementalDecoder):
    """ASCII until the first non-ASCII bytes, then UTF-8 if they are valid UTF-8, else GB18030."""

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self._inner: codecs.IncrementalDecoder | None = None

    def decode(self, input: bytes, final: bool = False) -> str:
        data = bytes(input)
        if self._inner is None:
            if data.isascii():
                return data.decode("ascii")
            try:
                codecs.getincrementaldecoder("utf-8")("strict").decode(data, final)
                name = "utf-8"
            except UnicodeDecodeError:
                name = "gb18030"
            self._inner = codecs.getincrementaldecoder(name)(self.errors)
        return self._inner.decode(data, final)

    def reset(self) -> None:
        self._inner = None

    def getstate(self) -> tuple[bytes, int]:
        return self._inner.getstate() if self._inner else (b"", 0)

    def setstate(self, state: tuple[bytes, int]) -> None:
        if self._inner:
            self._inner.setstate(state)


def _auto_codec(name: str) -> codecs.CodecInfo | None:
    if name != AUTO_CODEC:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        utf8.encode, utf8.decode, name=AUTO_CODEC,
        incrementalencoder=utf8.incrementalencoder, incrementaldecoder=_AutoDecoder,
    )


codecs.register(_auto_codec)


def encoding_name(encoding: str) -> str:
    """The name a person knows an encoding by.

    >>> encoding_name("utf-8-sig"), encoding_name("gb18030")
    ('UTF-8', 'GB18030')
    """
    return {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", AUTO_CODEC: "UTF-8/GB18030"}.get(
        encoding, encoding.upper()
    )
