"""The typed model of ``Report.to_dict()`` (``--format json``): one definition in pydantic.

``ict2rules schema report`` and the committed ``schemas/report.schema.json`` are generated from
:class:`ReportModel`, and every report's dict validates against it (``tests/test_report_api.py``
checks that validating and dumping it gives the very same dict back, so no field is undescribed).
It is a promise to other systems: fields are only ever added.

>>> from ict2rules import evaluate
>>> r = evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2023-10-01")
>>> model = ReportModel.model_validate(r.to_dict())
>>> model.summary.teachers.checked, model.findings[0].subject.level
(1, 'teacher')
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

Level = Literal["teacher", "school", "project", "region"]
StatusName = Literal["pass", "fail", "not_applicable", "missing_data", "pending"]
Severity = Literal["error", "warning", "info"]
ProblemKind = Literal["skipped_row", "unjoined_row", "school_without_rows", "sheet", "column"]

# Who wrote a generated file: pydantic's schema output changes between its minor versions, so a
# committed schema is compared exactly only under the version that generated it (every schema
# of the project, see authoring/schemas.py, says so).
GENERATOR = "pydantic " + ".".join(pydantic.VERSION.split(".")[:2])


class _Model(BaseModel):
    # a newer report may carry fields this version does not know: they are kept, not refused
    model_config = ConfigDict(extra="allow")


class Text(_Model):
    """A Chinese and an English text."""

    zh: str
    en: str


class SubjectModel(_Model):
    """Who a finding or a value is about."""

    level: Level
    id: str
    name: str | None = Field(description="the record's name, when it has one")
    school: str | None = Field(description="a teacher's school id")


class RulesetInfo(_Model):
    id: str = Field(description="the ruleset checked against")
    title: Text
    document: dict[str, Any] = Field(
        description="the regional document: title, issuer, number, date, level, seed, url, effective; "
        "absent keys were not given"
    )
    chain: list[str] = Field(description="the extends chain, from the furthest base to this ruleset")


class TeacherCounts(_Model):
    checked: int
    passed: int
    failed: int
    pending: int = Field(description="not passed only because required work is not yet due")
    pass_rate: float | None = Field(description="passed / checked, 6 decimals; null with no teachers")


class ProblemCounts(_Model):
    """Input problems by kind (every kind present)."""

    skipped_row: int
    unjoined_row: int
    school_without_rows: int
    sheet: int
    column: int


class Summary(_Model):
    passed: bool
    subjects: dict[str, int] = Field(description="subjects checked per level")
    teachers: TeacherCounts
    findings: dict[StatusName, int] = Field(
        description="findings per status, over every rule checked (whatever --status kept)"
    )
    errors: int = Field(description="error-severity findings not met (fail or missing_data)")
    warnings: int = Field(description="warning-severity findings not met")
    skipped_rows: int = Field(description="roster rows left out (--keep-going) or not teachers (合计 …)")
    input_problems: ProblemCounts


class InputProblemModel(_Model):
    """Something an input held that was not checked as given (see docs/report-format.md)."""

    kind: ProblemKind
    file: str | None
    sheet: str | None = Field(description="the workbook's sheet")
    row: int | None = Field(description="the spreadsheet row (CSV: header = row 1)")
    line: int | None = Field(description="the line of a text file (YAML, JSON, JSON Lines)")
    column: int | None
    field: str | None = Field(description="the field or header concerned")
    code: str = Field(description="a stable code: skipped, unjoined, duplicate, unknown_column …")
    reason: Text


class SourceModel(_Model):
    document: str | None
    section: str
    quote: str
    title: str | None = None


class Override(_Model):
    ruleset: str
    value: Any


class ParameterModel(_Model):
    value: Any
    defined_in: str
    overrides: list[Override]


class FindingModel(_Model):
    """One rule's verdict on one subject (also one ``--format jsonl`` line)."""

    rule: str
    title: Text
    subject: SubjectModel
    status: StatusName
    severity: Severity
    expected: Any
    actual: Any
    detail: dict[str, Any] | None
    message: Text
    source: SourceModel
    note: str | None
    parameters: dict[str, ParameterModel]
    defined_in: str


class ValueModel(_Model):
    id: str
    subject: SubjectModel
    value: Any


class ReportModel(_Model):
    """The whole JSON report."""

    version: Literal[1]
    ruleset: RulesetInfo
    as_of: dt.date
    inputs: list[str]
    passed: bool
    summary: Summary
    input_problems: list[InputProblemModel]
    findings: list[FindingModel]
    values: list[ValueModel]


def model_schema(model: type[BaseModel], title: str, mode: str = "validation") -> dict[str, Any]:
    """A model's JSON Schema as committed under ``schemas/``: draft 2020-12, titled, and saying
    which pydantic made it."""
    schema = model.model_json_schema(mode=mode)  # type: ignore[arg-type]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    schema["$comment"] = f"generated from the ict2rules models with {GENERATOR}"
    return schema


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report, generated from :class:`ReportModel`."""
    return model_schema(ReportModel, "ict2rules report", mode="serialization")
