"""Required documents: filed, approved, and on time."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from .base import (
    FAIL,
    MISSING,
    PASS,
    PENDING,
    Args,
    Check,
    DateOperand,
    Outcome,
    ParamRef,
    Status,
    Subject,
    missing,
    register,
    with_verdict,
)

if TYPE_CHECKING:
    from ..rules.compiler import Context

from ..labels import Phrase, field, listing

# Punctuation, brackets, quotes and spaces (after NFKC, which folds full-width forms): a title
# is compared by its words, so 《…》, “…”, 、 or a space typed differently never decides.
_NOISE = re.compile(r"[\s\"'`“”‘’《》〈〉「」『』【】〔〕\[\](){}<>、,，。.·•:：;；!！?？/\\|_—–\-~～…]")
# Words written two ways in titles and roles: the longer form is folded into the shorter.
_SYNONYMS = (("教研组组长", "教研组长"), ("学科组组长", "学科组长"))


@functools.lru_cache(maxsize=8192)  # the same few titles on every record: normalised once
def normalise(name: str) -> str:
    """A title as compared: NFKC, no punctuation, brackets, quotes or spaces, synonyms folded.

    >>> normalise("《XX小学“能力提升工程 2.0”整校推进实施方案》")
    'XX小学能力提升工程20整校推进实施方案'
    >>> normalise("数学教研组组长")
    '数学教研组长'
    """
    text = _NOISE.sub("", unicodedata.normalize("NFKC", name))
    for long, short in _SYNONYMS:
        text = text.replace(long, short)
    return text


def matches(required: str, filed: str) -> bool:
    """A filed document satisfies a required one when its title contains the required title
    (a school prefixes its name, a year, 《》); a title that is only part of the required one
    (a bare "方案") does not. A required title for every unit ("各坊总结材料": 各 + unit + what)
    is met by one unit's own copy ("1坊总结材料", "第二坊总结材料"): the title without 各.

    >>> matches("校本应用研修方案", "《XX小学校本应用研修方案(2023)》")
    True
    >>> matches("校本应用研修方案", "方案")
    False
    >>> matches("各坊总结材料", "1坊总结材料")
    True
    >>> matches("各坊总结材料", "总结材料")
    False
    """
    return _fits(normalise(required), filed)


@functools.lru_cache(maxsize=8192)  # (a record's titles against a rule's: the same few pairs)
def _fits(r: str, filed: str) -> bool:
    """:func:`matches` of the required title ``r``, normalised already."""
    f = normalise(filed)
    if not r:
        return False
    if r in f:
        return True
    # 各X…: a per-unit copy names its unit (X) and the rest, so X… without 各 must be there
    return r.startswith("各") and len(r) > 2 and r[1:] in f


def satisfies(required: str, doc: Any) -> bool:
    """Whether a filed document meets a required title: by its title, or by its ``type`` (a
    plan titled 《2023年秋季个人计划》 of type 学习计划 is a 学习计划).

    >>> from ict2rules.input.records import Document
    >>> satisfies("学习计划", Document(name="2023年秋季个人计划", type="学习计划"))
    True
    >>> satisfies("学习计划", Document(name="2023年秋季个人计划"))
    False
    """
    return _satisfies(normalise(required), doc)


def _satisfies(r: str, doc: Any) -> bool:
    """:func:`satisfies` of the required title ``r``, normalised already."""
    kind = getattr(doc, "type", None)
    return _fits(r, doc.name) or (kind is not None and _fits(r, kind))


class DocumentsArgs(Args):
    required: list[str] | ParamRef
    documents: str = "documents"
    approved: bool = False
    by: DateOperand | None = None


@register(
    "documents", DocumentsArgs, summary="Every required document is filed (and approved), on time."
)
def documents(args: DocumentsArgs, ctx: Context) -> Check:
    """What it does: for each title in ``required``, looks for a filed document whose title
    contains it (or whose ``type`` does: a 《秋季个人计划》 of type 学习计划 is a 学习计划),
    ignoring punctuation, 《》, quotes and spaces (after NFKC); 教研组组长 and
    教研组长 are one word; a title for every unit ("各坊总结材料") is met by a unit's own copy
    ("1坊总结材料"). A document counts
    when it has a ``filed_on`` date (and ``approved: true`` when ``approved`` is set). Before
    the ``by`` date, what is not yet filed is ``pending``; after it, ``fail``. ``detail`` names
    the ``absent`` and ``late`` titles, and ``unmet`` lists both for messages.

    Why: "负责制订《…实施方案》《校本应用研修方案》…上报县级管理团队,通过审核后予以实施".

    Example::

        kind: documents
        args: {required: [信息化发展规划, 校本研修方案, 考核方案], approved: true}
    """
    wanted: list[str] = list(ctx.constant(args.required))
    get = ctx.getter(args.documents)
    by = ctx.operand(args.by) if args.by is not None else None
    expected = Phrase(
        "、".join(wanted) + (" (已审核)" if args.approved else ""),
        "、".join(wanted) + ("(已审核)" if args.approved else ""),
        listing(wanted, "en") + (" (approved)" if args.approved else ""),
    )
    docs_name = field(args.documents, ctx)

    titles = [(title, normalise(title)) for title in wanted]  # each normalised once, here
    approved = args.approved

    def unmet(docs: list[Any], due: Any) -> tuple[list[str], list[str]]:
        """The titles not filed (and approved), and those filed only after ``due``."""
        late: list[str] = []
        absent: list[str] = []
        for title, r in titles:
            first = None  # the earliest filing that meets the title
            for d in docs:
                filed = d.filed_on
                if (
                    filed is not None and (d.approved or not approved) and _satisfies(r, d)
                    and (first is None or filed < first)
                ):
                    first = filed
            if first is None:
                absent.append(title)
            elif due is not None and first > due:
                late.append(title)
        return absent, late

    def status_of(s: Subject, absent: list[str], late: list[str], due: Any) -> Status:
        if not absent and not late:
            return PASS
        return PENDING if not late and due is not None and s.env.as_of <= due else FAIL

    def check(s: Subject) -> Outcome:
        docs = get(s)
        if docs is None:
            return missing(expected, docs_name)
        due = by.read(s) if by else None
        absent, late = unmet(docs, due)
        have = [d.name for d in docs if d.filed_on is not None]
        status = status_of(s, absent, late, due)
        if status is PASS:
            return Outcome(PASS, expected, have)
        # every key is always there, so a message may name any of them
        said = absent + [Phrase(f"{t}(逾期 late)", f"{t}(逾期)", f"“{t}” (late)") for t in late]
        detail: dict[str, Any] = {"absent": absent, "late": late, "unmet": said}
        if due is not None:
            detail["due"] = due.isoformat()
        return Outcome(status, expected, have, detail)

    def verdict(s: Subject) -> Status:  # measured: no outcome, no list of what is filed
        docs = get(s)
        if docs is None:
            return MISSING
        due = by.read(s) if by else None
        return status_of(s, *unmet(docs, due), due)

    return with_verdict(check, verdict)
