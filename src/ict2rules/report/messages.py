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
import marshal
import re
from typing import TYPE_CHECKING, Any

from ..errors import printable
from ..kinds.base import Outcome, Status
from ..labels import Phrase, fmt_number, listing, say, to_fill
from ..labels import field as field_phrase

if TYPE_CHECKING:
    from ..rules.ruleset import Ruleset
    from .findings import Finding

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


# A value marshal refuses (a status, a date, a phrase, an outcome) is keyed as a tuple that
# starts with this tag: no evidence read from records holds an Ellipsis, so no plain tuple of
# the evidence can equal a tagged one.
_TAG = Ellipsis
_MARSHALLED = frozenset({str, int, bool, float, type(None)})
_STATUS_KEYS = {st: (_TAG, "status", st.value) for st in Status}  # (``.value`` is a Python call)


def _exact(value: Any) -> Any:
    """``value`` with every part marshal refuses replaced by a tagged tuple of plain values
    that tells it apart type for type (None when a part is of no known kind: then the evidence
    is not keyed). ``marshal`` writes its exact types (``1``, ``1.0``, ``True``, ``"1"``,
    ``-0.0`` and ``(1,)`` and ``[1]`` all differ) in C; this walk is only for the rest."""
    kind = type(value)
    if kind in _MARSHALLED:
        return value
    if kind is tuple or kind is list:
        parts = []
        for x in value:
            if type(x) in _MARSHALLED:
                parts.append(x)
            elif type(x) is Status:  # (the parts' statuses of a composition)
                parts.append(_STATUS_KEYS[x])
            else:
                x = _exact(x)
                if x is None:
                    return None
                parts.append(x)
        return tuple(parts) if kind is tuple else parts
    if kind is Status:
        return _STATUS_KEYS[value]
    if kind is dt.date:
        return _TAG, "date", value.toordinal()
    if (kind is frozenset or kind is set) and all(type(x) is str for x in value):
        return _TAG, kind.__name__, tuple(sorted(value))
    if kind is Phrase:  # (an expected value: its machine text and how each language reads it)
        return _TAG, "phrase", str.__str__(value), value.zh, value.en
    if kind is Outcome:  # a plain check's evidence is its outcome (a deadline, documents)
        parts = _exact(tuple(value))
        return None if parts is None else (_TAG, "outcome", parts)
    return None


def _evidence_key(value: Any) -> Any:
    """``value`` (a finding's evidence) as a key that equals another only when every part is
    of the same type and value: tuples and lists of text, whole numbers, booleans, None, dates,
    statuses and floats (``-0.0`` is not ``0.0``), sets of text, phrases, and outcomes made of
    these (a plain check's). None for any other evidence.

    The key is ``marshal``'s bytes: for evidence of plain values only (most of it) one C call;
    otherwise those of :func:`_exact`'s tagged copy.

    >>> _evidence_key((1, None)) == _evidence_key((1, None)) != _evidence_key((1.0, None))
    True
    """
    if type(value) is not Outcome:  # an outcome (a plain check's) never marshals: tagged at once
        try:
            return marshal.dumps(value, 2)  # version 2: no back-references, equal values alike
        except ValueError:  # a status, a date, a set, a phrase … inside: tagged first
            pass
    exact = _exact(value)
    return None if exact is None else marshal.dumps(exact, 2)


_STATUS_WORDS = {
    "zh": {Status.PASS: "符合", Status.NOT_APPLICABLE: "不适用", Status.PENDING: "尚未到期"},
    "en": {Status.PASS: "met", Status.NOT_APPLICABLE: "not applicable", Status.PENDING: "not yet due"},
}


def message(finding: Finding, lang: str) -> str:
    """The finding's message in ``lang`` ("zh" or "en"): the rule's message when it is not met,
    its title otherwise.

    A message is a pure function of the rule, the status and the evidence (and of the subject,
    when the rule's texts name it): one not met is remembered by its evidence (type for type,
    :func:`_evidence_key`) on the compiled rule, so a later finding with equal evidence is
    given it without being explained or rendered again (about half the failures of a roster).
    """
    status = finding.status
    rule = finding.compiled.rule
    if status is not Status.FAIL and status is not Status.MISSING_DATA:
        return _met_message(getattr(rule.title, lang), lang, status)
    key = finding._said
    if key is None and finding._outcome is None:  # not yet explained: the evidence is there
        ev = _evidence_key(finding._evidence)
        if ev is not None:
            named = said_by_subject(finding.compiled)
            key = finding._said = (status, ev, finding.subject.label() if named else None)
    said = finding.compiled.said
    if key is not None:
        text = said.get((key, lang))
        if text is not None:
            return text
    if status is Status.MISSING_DATA:
        detail = finding.outcome.detail or {}
        text = cap(missing_text(detail.get("missing", []), lang, detail.get("missing_fields")), MAX_MESSAGE_CHARS)
    else:
        text = render(getattr(rule.message, lang), finding, lang)
    if key is not None:
        if len(said) > 10_000:  # bounded: a roster of distinct failures does not grow it
            said.clear()
        said[key, lang] = text
    return text


def said_by_subject(compiled: Any) -> bool:
    """Whether the rule's message or title names the subject (``{subject}``): then its texts
    depend on who it is about, not only on its evidence.

    >>> from ict2rules import load_ruleset
    >>> said_by_subject(load_ruleset("zeku_2023").plan.rules["teacher"][0])
    False
    """
    rule = compiled.rule
    return any("{subject}" in t for t in (rule.message.zh, rule.message.en, rule.title.zh, rule.title.en))




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
    return cap(f"{title}:{label}" if lang == "zh" else f"{title}: {label}", MAX_MESSAGE_CHARS)


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
