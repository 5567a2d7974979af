"""``--format concise``: one line per finding not met, file first, for editors and CI::

    plans/school.yaml:53:7: ZK-T-HOURS-TOTAL ZK-HJZX/马晓琴(ZK102) 总学时 74.5 学时,要求 ≥ 75 学时
    roster.csv:12:1: ZK-T-BAND S1/张三(T7) 最终成绩 57.5 分,等次为不合格
    ict2rules: 2 项未满足(错误 2 · 警告 0)· zeku_2023 · 2024-01-15

``FILE:LINE:COLUMN: RULE message`` is what compilers and linters print (ruff, gcc, mypy), so an
editor's problem matcher or a CI log links each line to its place: the line and column of the
record's ``id`` in a YAML/JSON file, the row of a roster (CSV, XLSX, JSON Lines) at column 1, and
``FILE:1:1`` when only the file is known (a school's own rule on a record read from a roster).
Errors first, then warnings and information, each in the order of the rules. The last line
counts them; nothing else is printed, so a pre-commit hook is quiet when all is met but for it.

``where`` (given by ``ict2rules check``, which knows where each record was read) maps a
subject to ``(file, line)``; without it the places are found the way SARIF finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import printable
from ..report.findings import SubjectRef
from ..report.report import Report, message
from .registry import writer
from .text import LABELS, fix_order

Where = Callable[[SubjectRef], tuple[str | None, int | None]]
_RECORD_SUFFIXES = (".yaml", ".yml", ".json")
SEVERITY = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
            "en": {"error": "error", "warning": "warning", "info": "info"}}


def record_places(records: Any) -> Where:
    """Where each teacher and school of ``records`` (:class:`ict2rules.input.files.Records`) was
    read: ``(file, line)`` — the line of its ``id`` in a record file, its row in a roster.

    >>> from ict2rules.input.files import read_records
    >>> where = record_places(read_records("examples/zeku_2023/school_ok.yaml"))
    >>> where(SubjectRef("teacher", "ZK002", school="ZK-MYZX"))
    ('examples/zeku_2023/school_ok.yaml', 80)
    """
    marks: dict[tuple[str, str, str | None], tuple[str | None, int | None]] = {}
    for school in records.schools:
        marks[("school", school.id, None)] = records.origin(school)
        for t in school.teachers or ():
            marks[("teacher", t.id, school.id)] = records.origin(t)
    for t in records.teachers:
        marks.setdefault(("teacher", t.id, t.school_id), records.origin(t))
        marks.setdefault(("teacher", t.id, None), records.origin(t))
    only = records.files[0] if len(set(records.files)) == 1 else None

    def where(ref: SubjectRef) -> tuple[str | None, int | None]:
        for key in ((ref.level, ref.id, ref.school), (ref.level, ref.id, None)):
            found = marks.get(key)
            if found and found[0]:
                return found
        return (only, None)

    return where


class _Columns:
    """The column of a record's first key on its line (1 for a roster row), files read once."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def __call__(self, file: str, line: int) -> int:
        if Path(file).suffix.lower() not in _RECORD_SUFFIXES:
            return 1
        if file not in self._lines:
            try:
                self._lines[file] = Path(file).read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeError):
                self._lines[file] = []
        lines = self._lines[file]
        if not 0 < line <= len(lines):
            return 1
        text = lines[line - 1]
        stripped = text.lstrip(" -\t{[")
        return len(text) - len(stripped) + 1


def concise_lines(report: Report, lang: str = "zh", where: Where | None = None) -> list[str]:
    """The report's findings not met as ``FILE:LINE:COLUMN: RULE subject message`` lines.

    >>> from ict2rules import evaluate
    >>> r = evaluate("zeku_2023", "examples/zeku_2023/school_bad.yaml", as_of="2024-01-15")
    >>> print(concise_lines(r)[0])
    examples/zeku_2023/school_bad.yaml:19:1: ZK-S-DOCUMENTS 泽库县和日寄宿制小学(ZK-HJZX) 未按期上报或未通过审核:校本应用研修考核方案、学科组年度研修计划
    """
    return list(_each_line(report, lang, where))


def _each_line(report: Report, lang: str, where: Where | None) -> Iterator[str]:
    """:func:`concise_lines` one at a time (a province has a hundred thousand)."""
    if where is None:
        from .sarif import locate

        where = locate(report)
    column = _Columns()
    severity_rank = {"error": 0, "warning": 1, "info": 2}
    failures = sorted(fix_order(report.failures()), key=lambda f: severity_rank[f.severity])
    for f in failures:
        file, line = where(f.subject)
        place = f"{file}:{line}:{column(file, line)}" if file and line else f"{file}:1:1" if file else "-:1:1"
        said = printable(message(f, lang)).replace("\n", " ")
        yield f"{printable(place)}: {f.rule_id} {printable(f.subject.label())} {said}"


@writer("concise")
def write_concise(report: Report, stream: IO[str], *, lang: str = "zh", where: Where | None = None,
                  **_: Any) -> None:
    """Write one line per finding not met, then one line of counts."""
    lang = lang if lang in LABELS else "zh"
    n = 0
    for line in _each_line(report, lang, where):
        stream.write(line + "\n")
        n += 1
    s = report.summary()
    sev = SEVERITY[lang]
    if lang == "zh":
        tail = (f"ict2rules: {n} 项未满足({sev['error']} {s['errors']} · {sev['warning']} {s['warnings']})"
                f"· {report.ruleset.id} · {report.as_of.isoformat()}")
    else:
        tail = (f"ict2rules: {n} not met ({s['errors']} errors · {s['warnings']} warnings) · "
                f"{report.ruleset.id} · {report.as_of.isoformat()}")
    if report.passed and not n:
        tail = f"ict2rules: {LABELS[lang]['verdict_ok']} · {report.ruleset.id} · {report.as_of.isoformat()}"
    from .problems import plain_line  # rows left out, not joined …: file first, like findings

    said = [printable(plain_line(p, lang)) for p in report.input_problems]
    stream.write("".join(line + "\n" for line in said) + tail + "\n")
