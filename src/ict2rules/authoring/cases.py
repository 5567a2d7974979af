"""YAML test cases for rulesets: a record in, the expected status of each rule out.

A policy person writes them without Python (like OpenFisca's YAML tests)::

    ruleset: zeku_2023
    as_of: 2023-10-01
    cases:
      - name: 75 学时整,通过 / exactly 75 hours passes
        input: {teacher: {id: T1, hours: {online: 50, offline: 25}}}
        expect:
          ZK-T-HOURS-TOTAL: pass           # every finding of this rule
          ZK-T-HOURS-ONLINE@T1: pass       # the finding about subject T1 only
        values:
          final_score@T1: 91               # a derived value
        passed: false                      # the report's verdict (optional)

``ict2rules test FILE...`` runs them; the test suite runs every file under ``tests/cases``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError, problems_from_validation
from ..input.yamlsafe import load_file

STATUSES = ("pass", "fail", "not_applicable", "missing_data", "pending")


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    input: dict[str, Any]
    as_of: dt.date | None = None
    expect: dict[str, str] = Field(default_factory=dict)
    values: dict[str, Any] = Field(default_factory=dict)
    passed: bool | None = None


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ruleset: str
    as_of: dt.date | None = None
    cases: list[Case]


@dataclass
class CaseResult:
    """The outcome of one case: its mismatches (empty when it passed)."""

    file: str
    name: str
    mismatches: list[str] = field(default_factory=list)
    statuses: dict[str, set[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def load_cases(path: str | Path) -> CaseFile:
    """Read and validate a case file."""
    data, where = load_file(path)
    try:
        return CaseFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            problems_from_validation(exc, data, str(path), where.find, model=CaseFile)
        ) from None


def _split(key: str) -> tuple[str, str | None]:
    rule, _, subject = key.partition("@")
    return rule, subject or None


def run_case(case: Case, ruleset: Any, file: str, default_as_of: dt.date | None) -> CaseResult:
    """Evaluate one case and compare what was found with what it expects."""
    from .. import evaluate

    result = CaseResult(file, case.name)
    report = evaluate(ruleset, case.input, as_of=case.as_of or default_as_of or dt.date(2000, 1, 1))
    known = {r.id for r in ruleset.rules}
    for key, want in case.expect.items():
        rule, subject = _split(key)
        if want not in STATUSES:
            result.mismatches.append(
                f"{key}: unknown status {want!r}; use one of {', '.join(STATUSES)}"
            )
            continue
        if rule not in known:
            result.mismatches.append(f"{key}: no rule {rule!r} in ruleset {ruleset.id}")
            continue
        found = [
            f
            for f in report.findings
            if f.rule_id == rule and (subject is None or f.subject.id == subject)
        ]
        got = {f.status.value for f in found}
        result.statuses[key] = got
        if not found:
            result.mismatches.append(f"{key}: expected {want}, but the rule produced no finding")
        elif got != {want}:
            detail = "; ".join(
                f"{f.subject.label()}: {f.status.value} (expected {f.outcome.expected!r}, actual {f.outcome.actual!r})"
                for f in found
                if f.status.value != want
            )
            result.mismatches.append(f"{key}: expected {want}, got {detail}")
    for key, want in case.values.items():
        name, subject = _split(key)
        got_values = [
            v.value
            for v in report.values
            if v.id == name and (subject is None or v.subject.id == subject)
        ]
        if not got_values:
            result.mismatches.append(f"value {key}: not computed")
        elif any(_differs(g, want) for g in got_values):
            result.mismatches.append(f"value {key}: expected {want!r}, got {got_values!r}")
    if case.passed is not None and report.passed != case.passed:
        result.mismatches.append(f"passed: expected {case.passed}, got {report.passed}")
    return result


def _differs(got: Any, want: Any) -> bool:
    if isinstance(got, (int, float)) and isinstance(want, (int, float)):
        return abs(got - want) > 1e-9
    return got != want


def case_ruleset(path: str | Path) -> Path:
    r"""The ruleset a case file names, confined like ``extends``: a bundled name, or a relative
    path inside the case file's folder (a case file from a shared repository must not make
    the tool read, and echo, ``../../etc/passwd``). Raises :class:`InputError` at the
    ``ruleset:`` line.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "c.yaml"
    >>> _ = f.write_text("ruleset: ../../etc/passwd\ncases: []\n")
    >>> case_ruleset(f)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ict2rules.errors.InputError: ...c.yaml:1:10: ruleset: 不允许使用 ..(不能离开... / ".." is not allowed (ruleset cannot leave ...
    """
    from dataclasses import replace

    from ..input.yamlsafe import resolve_extends
    from ..rules.loader import bundled_path

    cases = load_cases(path)
    _, where = load_file(path)
    line, column = where.find(("ruleset",)) or (None, None)
    try:
        return resolve_extends(
            cases.ruleset, Path(path).parent, bundled_path, source=str(path), line=line, column=column
        )
    except InputError as exc:  # the same rules as extends, said about this file's ruleset:
        raise InputError([
            replace(p, message_zh=p.message_zh.replace("extends", "ruleset"),
                    message_en=p.message_en.replace("extends", "ruleset"), field="ruleset")
            for p in exc.problems
        ]) from None


def run_file(path: str | Path, ruleset: Any = None) -> list[CaseResult]:
    """Run every case of a file (against ``ruleset``, or the one the file names)."""
    from ..rules.loader import load_ruleset

    cases = load_cases(path)
    rs = ruleset or load_ruleset(case_ruleset(path))
    return [run_case(c, rs, str(path), cases.as_of) for c in cases.cases]
