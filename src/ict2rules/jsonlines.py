"""The one finding encoder: a finding as the JSON line ``--format jsonl`` writes.

Every line is ``dump(finding_dict(f, ruleset))`` byte for byte; :class:`Lines` encodes each
rule's unchanging parts (title, source, parameters …) once and ``pydantic_core.to_json``
encodes the rest (where it writes exactly what ``json.dumps`` would; see :func:`dump`). The
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


def _plain(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


try:  # NaN and infinities as json.dumps writes them (pydantic-core 2.16 and later)
    pydantic_core.to_json(float("nan"), inf_nan_mode="constants")
    _FAST = True
except TypeError:  # older pydantic-core: json.dumps alone
    _FAST = False


def dump(obj: Any) -> str:
    """One JSON value, compact, non-ASCII as is: exactly ``json.dumps(obj, ensure_ascii=False,
    separators=(",", ":"))``, by ``pydantic_core.to_json`` (about twice as fast) where it
    writes the same — everything but a lone surrogate (it refuses it) and a float written
    with a negative exponent (``1e-05``, where it writes ``1e-5``): those go to ``json``."""
    if not _FAST:
        return _plain(obj)
    try:
        out = pydantic_core.to_json(obj, inf_nan_mode="constants")
    except pydantic_core.PydanticSerializationError:
        return _plain(obj)
    if b"e-" in out:  # maybe a float like 1e-05 (or only text): json's own spelling
        return _plain(obj)
    return out.decode()


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
            self._last_ref, self._last_subject = ref, dump(ref.to_dict())
        return self._last_subject

    def _encoded(self, value: Any) -> str:
        if not isinstance(value, str):
            return dump(value)
        text = self._texts.get(value)
        if text is None:
            if len(self._texts) > 10_000:
                self._texts.clear()
            text = self._texts[value] = dump(value)
        return text

    def _message(self, f: Finding) -> str:
        status = f.status
        if status in (Status.FAIL, Status.MISSING_DATA):
            return dump({"zh": message(f, "zh"), "en": message(f, "en")})
        key = (f.compiled.rule.id, status)
        text = self._fixed.get(key)
        if text is None:
            text = self._fixed[key] = dump({"zh": message(f, "zh"), "en": message(f, "en")})
        return text
