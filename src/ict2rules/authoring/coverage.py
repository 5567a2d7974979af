"""Document coverage: does a ruleset account for every requirement sentence of its source?

The source text is split into sentences. A sentence that states something someone must, should
or may do (it holds one of :data:`REQUIREMENT_MARKERS`) is a *requirement sentence*, and each
one is either

* ``encoded`` — quoted, in whole or in part, by a rule or a parameter of the ruleset itself, or
* ``not_checked`` — quoted by an entry of the ruleset's ``not_checked`` list, with a reason from
  the closed set :data:`ict2rules.rules.ruleset.REASONS`, or
* ``unclassified`` — a gap: the ruleset neither encodes it nor says why not.

Sentences without a marker are listed as ``other`` (headings, descriptions, page debris).
Matching ignores white space, full- against half-width punctuation and Traditional against
Simplified characters; a
quote matches a sentence when one contains the other, and a quote that elides with ``……`` is
matched part by part.

>>> text = "一、目标。教师须完成50学时。鼓励学校开展评选。"
>>> [(s.text, s.status) for s in sentence_coverage(text, [("R1", "教师须完成50学时")], [])]
[('一、目标。', 'other'), ('教师须完成50学时。', 'encoded'), ('鼓励学校开展评选。', 'unclassified')]
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .wording import simplified

#: Words that make a sentence a requirement (oblige, encourage or permit), or state a measure.
REQUIREMENT_MARKERS = (
    "须", "应", "需", "要", "务必", "确保", "不得", "严禁", "鼓励", "支持", "可以", "可根据",
    "原则上", "不少于", "不低于", "不超过", "不高于", "至少", "以上", "以下", "不满", "负责",
    "按时", "完成", "提交", "上报", "报送", "备案", "参加", "参与", "组织", "开展", "组建",
    "制定", "做好", "推进", "举办", "整理", "实行",
)
# Words that contain a marker without stating anything: 应用 (use, as in 信息技术应用能力),
# 技术支持的 (a catalog name), 主要/重要/要点/需求 …
_NOT_A_MARKER = re.compile(r"应用|支持的|主要|重要|要点|要素|纲要|摘要|需求|必要|只要|组织领导|组织保障")
_MARKER = re.compile("|".join(map(re.escape, REQUIREMENT_MARKERS)))
# A short heading numbered in Chinese (二、工作目标 / (一)加强组织领导。) states no requirement
# itself; an item numbered 1. 2. 3. often does (2.组织教师网络研修系统报名。).
_HEADING = re.compile(r"^[(（]?[一二三四五六七八九十百]+[)）、.．]")
# 。！？； end a sentence; so does a line break (table cells and headings are flattened to lines)
_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+|\n|$)")
_SPACE = re.compile(r"\s+")

Status = Literal["encoded", "not_checked", "unclassified", "other"]


def normalise(text: str) -> str:
    """The form texts are compared in: NFKC (full-width → half-width), Simplified characters,
    no white space.

    >>> normalise("須 完成，５０學時")
    '须完成,50学时'
    """
    return _SPACE.sub("", simplified(unicodedata.normalize("NFKC", text)))


@dataclass
class Sentence:
    """One sentence of the source and what the ruleset does with it."""

    line: int
    text: str
    status: Status = "other"
    rules: list[str] = field(default_factory=list)
    reason: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def split_sentences(text: str) -> list[Sentence]:
    """Split a document into sentences, each with the line it starts on.

    >>> [(s.line, s.text) for s in split_sentences("甲乙。丙丁；\\n戊己")]
    [(1, '甲乙。'), (1, '丙丁；'), (2, '戊己')]
    """
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _SENTENCE.finditer(line):
            piece = match.group().strip()
            if len(normalise(piece)) >= 2:
                out.append(Sentence(number, piece))
    return out


def is_requirement(sentence: str) -> bool:
    """Whether a sentence states a requirement (one of :data:`REQUIREMENT_MARKERS`).

    >>> is_requirement("每位教师须完成50学时。"), is_requirement("二、工作目标")
    (True, False)
    >>> is_requirement("提升信息技术应用能力")  # 应用 is not 应
    False
    """
    if _HEADING.match(sentence) and len(normalise(sentence)) <= 16:
        return False
    return _MARKER.search(_NOT_A_MARKER.sub("", simplified(sentence))) is not None


_QUOTE_PARTS = re.compile(r"…+|\.{3,}|(?<=[。！？；!?;])")


def _fragments(quote: str) -> list[str]:
    """The parts of a quote matched one by one: split where it elides (……) and after each
    sentence end, so a quote running from the tail of one sentence into the next covers both."""
    return [f for f in (normalise(p) for p in _QUOTE_PARTS.split(quote)) if len(f) >= 4]


def _matches(sentence: str, fragments: Sequence[str]) -> bool:
    return any(f in sentence or (len(sentence) >= 4 and sentence in f) for f in fragments)


def sentence_coverage(
    text: str,
    encoded: Iterable[tuple[str, str]],
    not_checked: Iterable[tuple[str, str, str | None]],
) -> list[Sentence]:
    """Classify every sentence of ``text``.

    ``encoded`` holds ``(rule or parameter id, quote)`` pairs; ``not_checked`` holds
    ``(quote, reason, note)`` triples. An encoded quote wins over a not-checked one.
    """
    quoted = [(name, _fragments(q)) for name, q in encoded]
    skipped = [(_fragments(q), reason, note) for q, reason, note in not_checked]
    sentences = split_sentences(text)
    for s in sentences:
        norm = normalise(s.text)
        s.rules = sorted({name for name, frags in quoted if _matches(norm, frags)})
        if s.rules:
            s.status = "encoded"
            continue
        for frags, reason, note in skipped:
            if _matches(norm, frags):
                s.status, s.reason, s.note = "not_checked", reason, note
                break
        else:
            s.status = "unclassified" if is_requirement(s.text) else "other"
    return sentences


@dataclass
class Coverage:
    """The coverage of one ruleset against one source text."""

    ruleset: str
    source: str
    sentences: list[Sentence]
    stale: list[str] = field(default_factory=list)  # not_checked quotes found nowhere in the text

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(s.status for s in self.sentences)
        return {k: counts.get(k, 0) for k in ("encoded", "not_checked", "unclassified", "other")}

    @property
    def to_encode(self) -> int:
        """Requirement sentences listed as checkable but not yet encoded (reason ``to_encode``)."""
        return sum(s.reason == "to_encode" for s in self.sentences)

    @property
    def complete(self) -> bool:
        """No requirement sentence is left unclassified, and every entry quotes the text."""
        return self.totals["unclassified"] == 0 and not self.stale

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset,
            "source": self.source,
            "totals": self.totals,
            "to_encode": self.to_encode,
            "complete": self.complete,
            "stale_not_checked": self.stale,
            "sentences": [s.to_dict() for s in self.sentences],
        }


def ruleset_coverage(ruleset: Any, text: str, source: str) -> Coverage:
    """The coverage of ``ruleset``'s own rules and parameters over its source ``text``.

    Only what the ruleset itself defines counts: a rule inherited from a base ruleset quotes the
    base's document, not this one.

    >>> from ict2rules import load_ruleset
    >>> cov = ruleset_coverage(load_ruleset("zeku_2023"), "教师每人完成75学时。", "x.txt")
    >>> cov.totals["unclassified"] + cov.totals["encoded"]
    1
    """
    own = ruleset.id
    encoded = [(r.id, r.source.quote) for r in ruleset.rules if ruleset.rule_origin.get(r.id) == own]
    encoded += [
        (f"${name}", p.source.quote)
        for name, p in ruleset.parameters.items()
        if p.defined_in == own and not p.informative
    ]
    entries = list(getattr(ruleset, "not_checked", []))
    sentences = sentence_coverage(
        text, encoded, [(e.quote, e.reason, e.note) for e in entries]
    )
    whole = normalise(text)
    stale = [e.quote for e in entries if not all(f in whole for f in _fragments(e.quote))]
    return Coverage(own, source, sentences, stale)
