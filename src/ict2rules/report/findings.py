"""What a run finds: each rule's verdict on a subject (:class:`Finding`), who it is about, the
derived values, and the counts a report's summary says (:class:`Summary`).

The evaluator makes them; the report, the writers and the encoders read them. They live here,
below both, with the words that explain them (``messages``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from ..kinds.base import DATA_ERRORS, Outcome, Status

if TYPE_CHECKING:
    from ..rules.compiler import CompiledRule
    from ..rules.ruleset import Ruleset


class SubjectRef(NamedTuple):
    """Who a finding is about (a tuple: one is made per record checked, so it must be cheap)."""

    level: str
    id: str
    name: str | None = None
    school: str | None = None

    def label(self) -> str:
        base = f"{self.name}({self.id})" if self.name else self.id
        return f"{self.school}/{base}" if self.school else base

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "id": self.id, "name": self.name, "school": self.school}


def wrong_kind_of_value(exc: Exception) -> Outcome:
    """The outcome of a check that could not compare the values it was given."""
    return Outcome(
        Status.FAIL, None, None, {"reason": f"值的类型不适用 / a value of the wrong kind: {exc}"}
    )


class Finding:
    """One rule's verdict on one subject, and the evidence that explains it.

    The evidence is what the rule read when it was evaluated (a small tuple of values); the
    outcome (expected, actual, detail) is made from it when someone reads it — a JSON report
    or a message does, a count of failures does not. It is a pure function of the rule and
    the evidence: a record changed after it was evaluated does not change its findings.
    """

    __slots__ = ("_evidence", "_outcome", "_said", "compiled", "status", "subject")

    def __init__(
        self,
        compiled: CompiledRule,
        subject: SubjectRef,
        status: Status,
        evidence: Any = None,
        outcome: Outcome | None = None,
    ) -> None:
        self.compiled = compiled
        self.subject = subject
        self.status = status
        self._evidence = evidence  # what the rule read, until it is explained
        self._outcome = outcome
        self._said: Any = None  # the key its messages are remembered by (``messages.message``)

    def __repr__(self) -> str:
        return f"Finding({self.rule_id!r}, {self.subject.label()!r}, {self.status.value})"

    @property
    def outcome(self) -> Outcome:
        if self._outcome is None:
            try:
                self._outcome = self.compiled.explain(self.status, self._evidence)
            except DATA_ERRORS as exc:  # (a value of the wrong kind, seen only when explained)
                self._outcome = wrong_kind_of_value(exc)
            self._evidence = None
        return self._outcome

    def message(self, lang: str = "zh") -> str:
        """What a person reads about this finding, in ``lang`` ("zh" or "en"): the rule's
        message with expected and actual filled in when it is not met, its title and
        "met" / "not yet due" … otherwise.

        >>> from ict2rules import evaluate
        >>> r = evaluate("zeku_2023", {"teacher": {"id": "T1", "hours": {"online": 50, "offline": 20}}},
        ...              as_of="2024-01-15", keep={"fail"})
        >>> total = [f for f in r.findings if f.rule_id == "ZK-T-HOURS-TOTAL"][0]
        >>> "70" in total.message("en"), "70" in total.message("zh")
        (True, True)
        """
        from ..report.messages import message

        return message(self, lang)

    def to_dict(self, ruleset: Ruleset | None = None) -> dict[str, Any]:
        """The finding as plain JSON data: rule, subject, status, severity, expected, actual,
        detail, messages in both languages, the quoted source … Given the ``ruleset`` it was
        checked against, also each parameter's value and origin and where the rule is defined:
        exactly one item of the JSON report's ``findings`` (see docs/report-format.md).

        >>> from ict2rules import evaluate
        >>> r = evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2024-01-15", keep={"fail"})
        >>> d = r.findings[0].to_dict(r.ruleset)
        >>> d["status"], d["subject"]["id"], sorted(d["message"])
        ('fail', 'T1', ['en', 'zh'])
        """
        from ..report.messages import finding_dict

        return finding_dict(self, ruleset)

    @property
    def rule_id(self) -> str:
        return self.compiled.rule.id

    @property
    def severity(self) -> str:
        return self.compiled.rule.severity


class DerivedValue(NamedTuple):
    """A derived value (final score, band, incentive points …) computed for a subject."""

    id: str
    subject: SubjectRef
    value: Any


#: What an input problem can be (a report's ``input_problems``; docs/report-format.md).
INPUT_PROBLEM_KINDS = ("skipped_row", "unjoined_row", "school_without_rows", "sheet", "column")


@dataclass
class Summary:
    """The counts a report's summary says, mergeable (chunks of a roster, Dask partitions).

    One type for every way of running: a :class:`~ict2rules.report.report.Report` holds one
    (its ``summary()`` is its ``to_dict()``), a streamed run adds its chunks' together.

    >>> s = Summary(); s.add("teacher", True); s.findings["pass"] += 3
    >>> d = s.to_dict(); d["passed"], d["teachers"]["pass_rate"], d["findings"]["pass"]
    (True, 1.0, 3)
    """

    findings: Counter[str] = field(default_factory=Counter)  # reported findings by status
    subjects: Counter[str] = field(default_factory=Counter)  # subjects checked by level
    unmet: Counter[str] = field(default_factory=Counter)  # rules not met by severity, all kept or not
    teachers_checked: int = 0
    teachers_passed: int = 0
    teachers_waiting: int = 0  # not passed only because required work is not yet due
    skipped_rows: int = 0
    problems: Counter[str] = field(default_factory=Counter)  # input problems by kind
    left_out: int = 0  # teacher rows left out for being bad: never "passed" with any

    schools_waiting: int = 0  # schools not passed only because required work is not yet due

    def add(self, level: str, passed: bool, waiting: bool = False) -> None:
        """One checked subject of ``level`` ("teacher", "school" …)."""
        self.subjects[level] += 1
        if level == "teacher":
            self.teachers_checked += 1
            self.teachers_passed += passed
            self.teachers_waiting += waiting
        elif level == "school":
            self.schools_waiting += waiting

    def merge(self, other: Summary) -> Summary:
        self.findings.update(other.findings)
        self.subjects.update(other.subjects)
        self.unmet.update(other.unmet)
        self.teachers_checked += other.teachers_checked
        self.teachers_passed += other.teachers_passed
        self.teachers_waiting += other.teachers_waiting
        self.skipped_rows += other.skipped_rows
        self.problems.update(other.problems)
        self.left_out += other.left_out
        self.schools_waiting += other.schools_waiting
        return self

    @property
    def passed(self) -> bool:
        """No error-severity rule failed or lacked data, and no teacher row was left out."""
        return self.unmet.get("error", 0) == 0 and not self.left_out

    def to_dict(self) -> dict[str, Any]:
        """The ``summary`` object of a JSON report (docs/report-format.md)."""
        n, ok = self.teachers_checked, self.teachers_passed
        return {
            "passed": self.passed,
            "subjects": dict(sorted((k, v) for k, v in self.subjects.items() if v)),
            "teachers": {
                "checked": n,
                "passed": ok,
                "failed": n - ok - self.teachers_waiting,
                "pending": self.teachers_waiting,
                "pass_rate": round(ok / n, 6) if n else None,
            },
            "findings": {s.value: self.findings.get(s.value, 0) for s in Status},
            "errors": self.unmet.get("error", 0),
            "warnings": self.unmet.get("warning", 0),
            "skipped_rows": self.skipped_rows,
            "input_problems": {k: self.problems.get(k, 0) for k in INPUT_PROBLEM_KINDS},
        }


class Tally:
    """The subjects of a run as they are checked: each ``(level, label, passed)`` for the
    per-school views, and their counts in ``summary``."""

    def __init__(self) -> None:
        self.subjects: list[tuple[str, str, bool]] = []
        self.summary = Summary()

    def add(self, level: str, label: str, checked: Any) -> None:
        """One checked subject (an :class:`~.evaluator.Evaluator` result)."""
        passed = bool(checked.passed)
        self.subjects.append((level, label, passed))
        self.summary.add(level, passed, checked.waiting)

    def add_school(self, checked: Any) -> None:
        """A checked school: its teachers (labelled ``school/teacher``), then itself."""
        school = checked.record.id
        for child in checked.children or ():
            self.add("teacher", f"{school}/{child.record.id}", child)
        self.add("school", school, checked)

    def extend(self, other: Tally) -> None:
        self.subjects += other.subjects
        self.summary.merge(other.summary)
