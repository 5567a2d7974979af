"""What a finding says: its message in Chinese or English and its JSON item.

Below both the evaluator (whose ``Finding.message()`` and ``Finding.to_dict()`` call these) and
the report (which renders every finding with them), so neither imports the other for it; the
report module re-exports these names.

>>> show(None, "zh"), cap("abcdef", 4)
('未填写', 'abc…')
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import TYPE_CHECKING, Any

from .errors import printable
from .kinds.base import Status
from .labels import field as field_phrase
from .labels import fmt_number, listing, say, to_fill

if TYPE_CHECKING:
    from .evaluator import Finding
    from .ruleset import Ruleset

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def jsonable(value: Any) -> Any:
    """Dates as ISO strings, tuples as lists, whole floats as ints: plain JSON values."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, Status):
        return value.value
    return value


def show(value: Any, lang: str | None = None) -> str:
    """A value as a person reads it in a message; in ``lang`` ("zh"/"en") when one is given
    (see :func:`ict2rules.labels.say`: 未填写, 是/否, a phrase in that language), else as
    machines read it (the value itself, "—" for nothing).

    >>> show(None), show(None, "zh"), show(["A1", "B2"], "zh")
    ('—', '未填写', 'A1、B2')
    """
    if lang is not None:
        return say(value, lang)
    if value is None:
        return "—"
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, float):
        return fmt_number(round(value, 4))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(show(v) for v in value) or "∅"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


# A message is written once per finding: unbounded, a ruleset of 2000 × "{subject}" over
# 5000-character names makes a 1.2 GB report from 336 KB of input. Each value filled in, and
# the whole message, are cut with an ellipsis (the longest bundled message is 114 characters).
MAX_VALUE_CHARS = 200
MAX_MESSAGE_CHARS = 1000


def cap(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when it was cut.

    >>> cap("abcdef", 4), cap("abc", 4)
    ('abc…', 'abc')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(template: str, finding: Finding, lang: str = "zh") -> str:
    """Fill ``{expected}``, ``{actual}``, ``{subject}`` and detail keys into a message.

    Only plain names are replaced (no attribute access, no format specs): a ruleset's text
    is data, never code. Each value is at most ``MAX_VALUE_CHARS`` long and the message at
    most ``MAX_MESSAGE_CHARS`` (work stops once it is reached).
    """
    o = finding.outcome
    detail = o.detail or {}
    out = []
    size = 0
    for literal, name in _segments(template):
        if size > MAX_MESSAGE_CHARS:
            break
        out.append(literal)
        size += len(literal)
        if name is None:
            continue
        if name == "actual":
            # a kind may say how its value reads to people (a share as "66.7%"), per language
            value = show(detail.get(f"actual_text_{lang}", detail.get("actual_text", o.actual)), lang)
        elif name == "expected":
            value = show(o.expected, lang)
        elif name == "subject":
            value = finding.subject.label()
        elif name in detail and not name.startswith("actual_text"):
            value = show(detail[name], lang)
        else:
            value = "{" + name + "}"  # not a value this finding has: left as written
        value = cap(value, MAX_VALUE_CHARS)
        out.append(value)
        size += len(value)
    return cap("".join(out), MAX_MESSAGE_CHARS)


@functools.lru_cache(maxsize=1024)
def _segments(template: str) -> tuple[tuple[str, str | None], ...]:
    """A message template split once into (literal text, placeholder name) pairs."""
    parts: list[tuple[str, str | None]] = []
    last = 0
    for m in _PLACEHOLDER.finditer(template):
        parts.append((template[last : m.start()], m.group(1)))
        last = m.end()
    parts.append((template[last:], None))
    return tuple(parts)


_STATUS_WORDS = {
    "zh": {Status.PASS: "符合", Status.NOT_APPLICABLE: "不适用", Status.PENDING: "尚未到期"},
    "en": {Status.PASS: "met", Status.NOT_APPLICABLE: "not applicable", Status.PENDING: "not yet due"},
}


def message(finding: Finding, lang: str) -> str:
    """The finding's message in ``lang`` ("zh" or "en"): the rule's message when it is not met,
    its title otherwise."""
    status = finding.status
    rule = finding.compiled.rule
    if status is Status.FAIL or status is Status.MISSING_DATA:
        text = getattr(rule.message, lang)
        if status is Status.MISSING_DATA:
            detail = finding.outcome.detail or {}
            text = missing_text(detail.get("missing", []), lang, detail.get("missing_fields"))
            return cap(text, MAX_MESSAGE_CHARS)
        return render(text, finding, lang)
    return cap(_met_message(getattr(rule.title, lang), lang, status), MAX_MESSAGE_CHARS)


def missing_text(missing: Any, lang: str, fields: Any = None) -> str:
    """'未填写:完成日期、线上学时' — what a finding lacks, by the labels people know (a count
    of a group's members when the kind counts them, with the ``fields`` they lack).

    >>> missing_text(["completed_on", "school.point_scope"], "zh")
    '未填写:完成日期、学校所选能力点'
    >>> missing_text(150, "zh", ["points.grade"]), missing_text(2, "en")
    ('150 项未填写:能力点等级', 'data not given for 2 members')
    """
    if isinstance(missing, int) and not isinstance(missing, bool):
        if fields:
            labels = _labels(fields, lang)
            return f"{missing} 项未填写:{labels}" if lang == "zh" else f"{missing} items without: {labels}"
        return f"{missing} 项的相关数据未填写" if lang == "zh" else f"data not given for {missing} members"
    labels = _labels(to_fill([missing] if isinstance(missing, str) else list(missing or ())) or ["?"], lang)
    return f"未填写:{labels}" if lang == "zh" else f"not given: {labels}"


def _labels(paths: Any, lang: str) -> str:
    """Field paths (or phrases) as one list of the labels people know."""
    return listing(
        dict.fromkeys(p.of(lang) if hasattr(p, "of") else field_phrase(str(p)).of(lang) for p in paths), lang
    )


@functools.lru_cache(maxsize=4096)
def _met_message(title: str, lang: str, status: Status) -> str:
    """'总学时不少于75学时:符合' — the same few strings for every subject that meets a rule."""
    label = _STATUS_WORDS[lang][status]
    return f"{title}:{label}" if lang == "zh" else f"{title}: {label}"


def finding_dict(f: Finding, ruleset: Ruleset | None) -> dict[str, Any]:
    """One item of the JSON report's ``findings`` (and one ``--format jsonl`` line); without
    the ruleset, ``parameters`` and ``defined_in`` are left out (only it knows them)."""
    rule = f.compiled.rule
    o = f.outcome
    out: dict[str, Any] = {
        "rule": rule.id,
        "title": {"zh": rule.title.zh, "en": rule.title.en},
        "subject": f.subject.to_dict(),
        "status": f.status.value,
        "severity": rule.severity,
        "expected": jsonable(o.expected),
        "actual": jsonable(o.actual),
        "detail": jsonable(o.detail) if o.detail else None,
        "message": {"zh": message(f, "zh"), "en": message(f, "en")},
        "source": rule.source.model_dump(),
        "note": rule.note,
    }
    if ruleset is None:
        return out
    out["parameters"] = {
        name: {
            "value": jsonable(p.value),
            "defined_in": p.defined_in,
            "overrides": [
                {"ruleset": ov.ruleset, "value": jsonable(ov.value)} for ov in p.overrides
            ],
        }
        for name in f.compiled.parameters
        for p in (ruleset.parameters[name],)
    }
    out["defined_in"] = ruleset.rule_origin.get(rule.id, ruleset.id)
    return out
