"""The one finding encoder: a finding as the JSON line ``--format jsonl`` writes.

Every line is ``dump(finding_dict(f, ruleset))`` byte for byte; :class:`Lines` encodes each
rule's unchanging parts (title, source, parameters …) once, the texts of the rest (message,
subject) by ``pydantic_core.to_json`` (:func:`dump_text`) and its values by ``json``. The
in-memory writer (``render/jsonl.py``) and the streamed run (``evaluation/stream.py``, worker processes,
Dask) all use it.

>>> dump({"zh": "符合", "n": 0.5})
'{"zh":"符合","n":0.5}'
"""

from __future__ import annotations

import json
from typing import Any

import pydantic_core

from ..kinds.base import Status
from ..labels import Phrase
from ..rules.ruleset import Ruleset
from .findings import Finding, SubjectRef
from .messages import _evidence_key, said_by_subject
from .report import InputProblem, finding_dict, jsonable, message

_STATUS_JSON = {st: f'"{st.value}"' for st in Status}
_DYNAMIC = ("subject", "status", "expected", "actual", "detail", "message")
# json.dumps with these options makes a new encoder at every call: one, made once, writes the same
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dump(obj: Any) -> str:
    """One JSON value, compact, non-ASCII as is: ``json.dumps(obj, ensure_ascii=False,
    separators=(",", ":"))``, the encoding of every finding line."""
    return _ENCODE(obj)


def dump_text(obj: Any) -> str:
    """:func:`dump` of a value made of text only (strings, None, and dicts or lists of them:
    a finding's message, its subject) by ``pydantic_core.to_json``, about twice as fast, which
    writes exactly what ``json`` writes for text (every code point, escapes included); a lone
    surrogate, which it refuses, goes to ``json``. Numbers are never given to it: it spells some
    floats otherwise (``0.00001`` for ``1e-05``).

    >>> dump_text({"zh": "符合", "en": "met"})
    '{"zh":"符合","en":"met"}'
    """
    try:
        return pydantic_core.to_json(obj).decode()
    except pydantic_core.PydanticSerializationError:
        return dump(obj)


class Lines:
    """Finding lines with each rule's unchanging parts (title, source, parameters …) encoded
    once: identical to ``dump(finding_dict(f, ruleset))``, several times faster."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self._parts: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._texts: dict[str, str] = {}
        self._fixed: dict[tuple[str, Status], str] = {}
        self._missing: dict[Any, str] = {}
        self._explained: dict[Any, str] = {}
        self._by_subject: dict[str, bool] = {}  # rule id → its messages name the subject
        self._last_ref: SubjectRef | None = None
        self._last_subject = ""

    def _template(self, f: Finding) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The rule's line as literal text around its dynamic values: ``(texts, keys)``, the
        line being ``texts[0] + value(keys[0]) + texts[1] + … + texts[-1]``."""
        texts: list[str] = []
        keys: list[str] = []
        text = "{"
        for i, (key, value) in enumerate(finding_dict(f, self.ruleset).items()):
            text += ("," if i else "") + f"{dump(key)}:"
            if key in _DYNAMIC:
                texts.append(text)
                keys.append(key)
                text = ""
            else:
                text += dump(value)
        texts.append(text + "}")
        return tuple(texts), tuple(keys)

    def encoded(self, found: list[Finding], end: bytes = b"\n") -> bytes:
        """The findings' lines as UTF-8 bytes, each followed by ``end`` (what a worker sends
        back, what ``check_records(lines=…)`` writes)."""
        line = self.line
        return b"".join([line(f).encode("utf-8", "surrogatepass") + end for f in found])

    def line(self, f: Finding) -> str:
        rid = f.compiled.rule.id
        parts = self._parts.get(rid)
        if parts is None:
            parts = self._parts[rid] = self._template(f)
        texts, keys = parts
        if keys == _DYNAMIC:  # every line of the bundled rules: one expression
            return f"{texts[0]}{self._subject(f.subject)}{self._tail(f, texts)}"
        o = f.outcome
        out = [texts[0]]
        for key, text in zip(keys, texts[1:], strict=True):
            if key == "subject":
                out.append(self._subject(f.subject))
            elif key == "status":
                out.append(_STATUS_JSON[f.status])
            elif key == "expected":
                out.append(self._value(o.expected))
            elif key == "actual":
                out.append(self._value(o.actual))
            elif key == "detail":
                out.append(self._detail(o.detail))
            else:
                out.append(self._message(f))
            out.append(text)
        return "".join(out)

    def _tail(self, f: Finding, texts: tuple[str, ...]) -> str:
        """The line after its subject: status, expected, actual, detail, message and the
        rule's unchanging rest, encoded. The outcome and the messages are a pure function of
        the rule, the status and the evidence (and of the subject, when a message names it):
        a finding whose evidence is plain values equal to an earlier one's (type for type) is
        given the earlier text, without being explained or encoded again."""
        key = None
        if f._outcome is None:  # not yet explained: the evidence is still there
            rid = f.compiled.rule.id
            ev = _evidence_key(f._evidence)
            if ev is not None:
                named = self._by_subject.get(rid)
                if named is None:
                    named = self._by_subject[rid] = said_by_subject(f.compiled)
                key = (rid, f.status, ev, f.subject.label() if named else None)
                known = self._explained.get(key)
                if known is not None:
                    return known
        o = f.outcome
        _, t1, t2, t3, t4, t5, t6 = texts
        tail = (f"{t1}{_STATUS_JSON[f.status]}{t2}{self._value(o.expected)}{t3}{self._value(o.actual)}"
                f"{t4}{self._detail(o.detail)}{t5}{self._message(f)}{t6}")
        if key is not None and len(self._explained) < 4_000:  # bounded: a tail is about a
            self._explained[key] = tail  # kilobyte; the first 4,000 kept (the common ones)
        return tail

    def _value(self, value: Any) -> str:
        """``dump(jsonable(value))``, without the walk for the plain values most are."""
        kind = type(value)
        if value is None:
            return "null"
        if kind is str:
            return self._encoded(value)
        if kind is Phrase:  # (an expected value: JSON writes its machine text)
            return self._encoded(str.__str__(value))
        if kind is int:
            return int.__repr__(value)  # as json writes an int
        if kind is float and value.is_integer():
            return int.__repr__(int(value))  # jsonable: a whole float as an int
        return dump(jsonable(value))

    @staticmethod
    def _detail(detail: dict[str, Any] | None) -> str:
        """``dump(jsonable(detail))`` ("null" when empty); a detail of text keys and plain
        values (text, whole numbers, booleans, None, lists of text) is what ``jsonable``
        would give already: encoded as it is."""
        if not detail:
            return "null"
        for k, v in detail.items():
            kind = type(v)
            if type(k) is not str or not (
                v is None or kind is str or kind is int or kind is bool
                or (kind is list and all(type(x) is str for x in v))
            ):
                return dump(jsonable(detail))
        return dump(detail)

    # The parts below repeat across findings; each is encoded once. Only texts that depend on
    # nothing but the rule and the status (met, not applicable, not yet due) are remembered.
    def _subject(self, ref: SubjectRef) -> str:
        if ref is not self._last_ref:
            self._last_ref, self._last_subject = ref, dump_text(ref.to_dict())
        return self._last_subject

    def _encoded(self, value: Any) -> str:
        if not isinstance(value, str):
            return dump(value)
        text = self._texts.get(value)
        if text is None:
            if len(self._texts) > 10_000:
                self._texts.clear()
            text = self._texts[value] = dump_text(value)
        return text

    def _message(self, f: Finding) -> str:
        status = f.status
        if status is Status.MISSING_DATA:  # says only what is missing: the same few lists
            missing = (f.outcome.detail or {}).get("missing", [])
            key = missing if type(missing) is int else (
                tuple(missing) if type(missing) is list and all(type(m) is str for m in missing) else None)
            if key is None:
                return dump_text({"zh": message(f, "zh"), "en": message(f, "en")})
            text = self._missing.get(key)
            if text is None:
                if len(self._missing) > 10_000:
                    self._missing.clear()
                text = self._missing[key] = dump_text({"zh": message(f, "zh"), "en": message(f, "en")})
            return text
        if status is Status.FAIL:
            return dump_text({"zh": message(f, "zh"), "en": message(f, "en")})
        key = (f.compiled.rule.id, status)
        text = self._fixed.get(key)
        if text is None:
            text = self._fixed[key] = dump_text({"zh": message(f, "zh"), "en": message(f, "en")})
        return text


def jsonl_item(p: InputProblem) -> dict[str, Any]:
    """One ``--format jsonl`` line: ``{"type": "input_problem", ...InputProblem.to_dict()}``."""
    return {"type": "input_problem", **p.to_dict()}
