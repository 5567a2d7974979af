"""The one finding encoder: a finding as the JSON line ``--format jsonl`` writes.

Every line is ``dump(finding_dict(f, ruleset))`` byte for byte; :class:`Lines` encodes each
rule's unchanging parts (title, source, parameters …) once, the texts of the rest (message,
subject) by ``pydantic_core.to_json`` (:func:`dump_text`) and its values by ``json``. The
in-memory writer (``render/jsonl.py``) and the streamed run (``stream.py``, worker processes,
Dask) all use it.

>>> dump({"zh": "符合", "n": 0.5})
'{"zh":"符合","n":0.5}'
"""

from __future__ import annotations

import json
from typing import Any

import pydantic_core

from .evaluator import Finding, SubjectRef
from .kinds.base import Status
from .report import finding_dict, jsonable, message
from .ruleset import Ruleset

_STATUS_JSON = {st: f'"{st.value}"' for st in Status}
_DYNAMIC = ("subject", "status", "expected", "actual", "detail", "message")


def dump(obj: Any) -> str:
    """One JSON value, compact, non-ASCII as is: ``json.dumps(obj, ensure_ascii=False,
    separators=(",", ":"))``, the encoding of every finding line."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


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
        self._parts: dict[str, list[str | None]] = {}
        self._texts: dict[str, str] = {}
        self._fixed: dict[tuple[str, Status], str] = {}
        self._last_ref: SubjectRef | None = None
        self._last_subject = ""

    def _template(self, f: Finding) -> list[str | None]:
        parts: list[str | None] = []
        static: list[str] = []
        for key, value in finding_dict(f, self.ruleset).items():
            if key in _DYNAMIC:
                parts += [",".join(static), key]
                static = []
            else:
                static.append(f"{dump(key)}:{dump(value)}")
        parts += [",".join(static), None]
        return parts

    def line(self, f: Finding) -> str:
        rid = f.compiled.rule.id
        parts = self._parts.get(rid)
        if parts is None:
            parts = self._parts[rid] = self._template(f)
        o = f.outcome
        status = f.status
        dynamic = {
            "subject": self._subject(f.subject),
            "status": _STATUS_JSON[status],
            "expected": self._encoded(jsonable(o.expected)),
            "actual": dump(jsonable(o.actual)),
            "detail": dump(jsonable(o.detail)) if o.detail else "null",
            "message": self._message(f),
        }
        out: list[str] = []
        for i in range(0, len(parts) - 1, 2):
            static, key = parts[i], parts[i + 1]
            if static:
                out.append(static)  # type: ignore[arg-type]
            if key is not None:
                out.append(f'"{key}":{dynamic[key]}')
        return "{" + ",".join(out) + "}"

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
        if status in (Status.FAIL, Status.MISSING_DATA):
            return dump_text({"zh": message(f, "zh"), "en": message(f, "en")})
        key = (f.compiled.rule.id, status)
        text = self._fixed.get(key)
        if text is None:
            text = self._fixed[key] = dump_text({"zh": message(f, "zh"), "en": message(f, "en")})
        return text
