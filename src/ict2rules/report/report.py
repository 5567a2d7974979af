"""The report: findings, derived values and a summary, with one stable JSON shape.

The shape of :meth:`Report.to_dict` is documented in ``docs/report-format.md`` and described
by ``ict2rules schema report``; fields are only ever added to it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem, printable
from ..kinds.base import Status
from ..rules.ruleset import Ruleset
from .findings import INPUT_PROBLEM_KINDS, DerivedValue, Finding, Summary
from .messages import (  # noqa: F401 (re-exported: the writers read them here)
    MAX_MESSAGE_CHARS,
    MAX_VALUE_CHARS,
    cap,
    finding_dict,
    jsonable,
    message,
    missing_text,
    render,
    show,
)

REPORT_VERSION = 1

def value_dict(v: DerivedValue) -> dict[str, Any]:
    """One item of the JSON report's ``values``."""
    return {"id": v.id, "subject": v.subject.to_dict(), "value": jsonable(v.value)}


def _cell(value: Any) -> Any:
    """A value for one cell of a flat row: scalars as they are, anything else as text."""
    if isinstance(value, str):
        return str(value)  # plain text, never a Phrase: a DataFrame cell holds a str
    if value is None or isinstance(value, (bool, int, float)):
        return jsonable(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return show(value)


# --------------------------------------------------------------------------- input problems

#: What an input problem can be, in the order writers list them.
_SPREADSHEET = re.compile(r"\.(csv|tsv|xlsx|xlsm|xls)$", re.IGNORECASE)
_SHEET = re.compile(r"^(?P<file>.*?)\[(?P<sheet>[^\[\]]*)\]$")


@dataclass(frozen=True)
class InputProblem:
    """Something the inputs held that was not checked as given: a roster row left out, a row
    whose school matches nothing, a school no roster row names, a sheet or column not read.
    The run went on (``--keep-going``, or a warning such as a 合计 row); every output format
    lists these, so nothing is lost silently.

    ``row`` (and ``sheet``) place it in a spreadsheet (CSV: header = row 1); ``line`` and
    ``column`` in a text file (YAML, JSON, JSON Lines).

    >>> from ict2rules.errors import Problem
    >>> p = InputProblem.of(Problem("r.xlsx[一小]", "不是教师:合计行,已跳过", "not a teacher: a total row; skipped",
    ...                             line=9, code="skipped"))
    >>> p.kind, p.file, p.sheet, p.row, p.place()
    ('skipped_row', 'r.xlsx', '一小', 9, 'r.xlsx[一小]:9')
    """

    kind: str
    file: str | None
    reason_zh: str
    reason_en: str
    sheet: str | None = None
    row: int | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    code: str = "input"

    @classmethod
    def of(cls, problem: Problem) -> InputProblem:
        """The report's item for a problem the readers and the join kept as a warning."""
        file, sheet = problem.file, None
        m = _SHEET.match(file or "")
        if m:
            file, sheet = m.group("file"), m.group("sheet")
        spreadsheet = bool(_SPREADSHEET.search(file or ""))
        at = problem.line or None  # 0: the file as a whole
        return cls(
            kind=problem_kind(problem), file=file, reason_zh=problem.message_zh,
            reason_en=problem.message_en, sheet=sheet,
            row=at if spreadsheet else None, line=None if spreadsheet else at,
            column=problem.column, field=problem.field, code=problem.code,
        )

    def place(self) -> str:
        """Where it is, as ``file[sheet]:row`` or ``file:line:col``."""
        out = (self.file or "<input>") + (f"[{self.sheet}]" if self.sheet is not None else "")
        at = self.row if self.row is not None else self.line
        if at is not None:
            out += f":{at}" + (f":{self.column}" if self.column is not None else "")
        return printable(out)

    def reason(self, lang: str = "zh") -> str:
        """Why, in ``lang`` ("zh" or "en"), on one printable line."""
        text = self.reason_zh if lang == "zh" else self.reason_en
        return printable(text.replace("\r", " ").replace("\n", " "))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.file, "sheet": self.sheet, "row": self.row,
            "line": self.line, "column": self.column, "field": self.field, "code": self.code,
            "reason": {"zh": self.reason_zh, "en": self.reason_en},
        }


def problem_kind(p: Problem) -> str:
    """Which :data:`INPUT_PROBLEM_KINDS` a kept problem is (a bad or duplicate row: skipped)."""
    if p.code == "unjoined":
        return "school_without_rows" if p.field == "teachers" else "unjoined_row"
    if p.code == "unknown_column":
        return "column"
    if p.code == "skipped" and not p.line:
        return "sheet"  # a hidden sheet, a sheet without a header: not read
    return "skipped_row"


def input_problems(*problems: list[Problem]) -> list[InputProblem]:
    """Kept problems (``Records.problems``, ``Records.unjoined`` …) as the report's items, in
    file order (a file's own problems first, then by sheet and row or line)."""
    items = [InputProblem.of(p) for group in problems for p in group]
    return sorted(items, key=lambda p: (p.file or "", p.sheet or "", p.row or p.line or 0))


def rows_left_out(items: Iterable[InputProblem]) -> int:
    """Teacher rows left out because they were bad (``--keep-going``, a second row of one id),
    each place once — not 合计, note or blank rows. Each is a teacher nobody checked, so a run
    with any never says every rule is met.

    >>> from ict2rules.errors import Problem
    >>> bad = [InputProblem.of(Problem("r.csv", "x", "x", line=3, column=c, code="roster")) for c in (2, 5)]
    >>> total = InputProblem.of(Problem("r.csv", "合计行", "a total row", line=9, code="skipped"))
    >>> rows_left_out([*bad, total])
    1
    """
    return len({(p.file, p.sheet, p.row, p.line) for p in items
                if p.kind == "skipped_row" and p.code != "skipped"})


def problem_counts(items: list[InputProblem]) -> dict[str, int]:
    """``{kind: count}`` with every kind present (the summary's ``input_problems``).

    >>> problem_counts([])["unjoined_row"]
    0
    """
    counts = Counter(p.kind for p in items)
    return {k: counts.get(k, 0) for k in INPUT_PROBLEM_KINDS}


@dataclass
class Report:
    """Everything one run found: the findings kept, the derived values, each subject checked
    (``(level, label, passed)``) and ``counts``, the :class:`~ict2rules.report.findings.Summary`
    of every outcome, whatever ``keep`` kept. ``passed`` is True when no error-severity rule
    failed or lacked data (work not yet due does not fail a report) and no teacher row was
    left out."""

    ruleset: Ruleset
    as_of: dt.date
    findings: list[Finding]
    counts: Summary
    values: list[DerivedValue] = field(default_factory=list)
    subjects: list[tuple[str, str, bool]] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    #: what the inputs held that was not checked as given (rows left out, rows not joined …)
    input_problems: list[InputProblem] = field(default_factory=list)

    def __repr__(self) -> str:
        s = self.summary()
        return (f"<Report {self.ruleset.id} as of {self.as_of.isoformat()}: "
                f"{'passed' if self.passed else 'not passed'}, {s['teachers']['checked']} teachers, "
                f"{len(self.findings)} findings, {s['errors']} errors, "
                f"{len(self.input_problems)} input problems>")

    @property
    def passed(self) -> bool:
        return self.counts.passed

    # the counts that were fields of their own before ``counts`` held them all
    @property
    def skipped_rows(self) -> int:
        return self.counts.skipped_rows

    @property
    def teachers_waiting(self) -> int:
        return self.counts.teachers_waiting

    @property
    def schools_waiting(self) -> int:
        return self.counts.schools_waiting

    def failures(self, severity: str | None = None) -> list[Finding]:
        """Findings not met (fail or missing data), optionally of one severity."""
        return [
            f
            for f in self.findings
            if f.status in (Status.FAIL, Status.MISSING_DATA)
            and (severity is None or f.severity == severity)
        ]

    def summary(self) -> dict[str, Any]:
        """The counts of the report, as a streamed run's: every outcome counted, whatever
        ``keep`` kept (docs/report-format.md)."""
        return self.counts.to_dict()

    def to_records(self) -> list[dict[str, Any]]:
        """One flat row per finding, ready for a DataFrame (``pandas.DataFrame(r.to_records())``):
        ``level``, ``subject_id``, ``subject_name``, ``school``, ``rule``, ``title_zh``,
        ``status``, ``severity``, ``message_zh``, ``message_en``, ``expected``, ``actual``,
        ``section``. A number, text, boolean or null stays as it is; a date is ISO text; a
        list or mapping is its text as messages show it (a cell holds one value).

        >>> from ict2rules import evaluate
        >>> r = evaluate("zeku_2023", {"teacher": {"id": "T1", "hours": {"online": 50, "offline": 20}}},
        ...              as_of="2024-01-15", keep={"fail"})
        >>> row = [x for x in r.to_records() if x["rule"] == "ZK-T-HOURS-TOTAL"][0]
        >>> row["subject_id"], row["status"], row["expected"], row["actual"]
        ('T1', 'fail', '≥ 75 学时', 70)
        """
        rows = []
        for f in self.findings:
            o, ref, rule = f.outcome, f.subject, f.compiled.rule
            rows.append({
                "level": ref.level, "subject_id": ref.id, "subject_name": ref.name,
                "school": ref.school, "rule": rule.id, "title_zh": rule.title.zh,
                "status": f.status.value, "severity": rule.severity,
                "message_zh": message(f, "zh"), "message_en": message(f, "en"),
                "expected": _cell(o.expected), "actual": _cell(o.actual),
                "section": rule.source.section,
            })
        return rows

    def to_dict(self, *, items: bool = True) -> dict[str, Any]:
        """The JSON form of the report (``--format json``); ``items=False`` leaves out the
        lists ``input_problems``, ``findings`` and ``values`` (a writer streams them).

        >>> from ict2rules import evaluate, load_ruleset
        >>> r = evaluate(load_ruleset("zeku_2023"), {"teacher": {"id": "T1"}})
        >>> sorted(r.to_dict())[:4]
        ['as_of', 'findings', 'input_problems', 'inputs']
        """
        rs = self.ruleset
        return {
            "version": REPORT_VERSION,
            "ruleset": {
                "id": rs.id,
                "title": rs.title.model_dump(),
                "document": jsonable(rs.document.model_dump(exclude_none=True)),
                "chain": rs.chain,
            },
            "as_of": self.as_of.isoformat(),
            "inputs": self.inputs,
            "passed": self.passed,
            "summary": self.summary(),
        } | ({
            "input_problems": [p.to_dict() for p in self.input_problems],
            "findings": [finding_dict(f, rs) for f in self.findings],
            "values": [value_dict(v) for v in self.values],
        } if items else {})
