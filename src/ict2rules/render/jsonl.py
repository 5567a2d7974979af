"""``--format jsonl``: one finding per line, then one summary line — for big runs and pipes.

Each finding line is exactly :func:`ict2rules.report.finding_dict` (the objects of the JSON
report's ``findings``), the same shape a streamed roster check writes (``stream.py``, which
orders lines as it reads rows and adds per-school roll-up lines). The last line is the
summary, marked ``"type": "summary"``::

    {"rule": "ZK-T-HOURS-TOTAL", "subject": {...}, "status": "fail", ...}
    {"type": "summary", "version": 1, "ruleset": "zeku_2023", "as_of": "2023-10-08", "passed": false, ...}
"""

from __future__ import annotations

from typing import IO, Any

from ..jsonlines import Lines, dump
from ..report import REPORT_VERSION, Report
from . import writer


def summary_line(report: Report) -> dict[str, Any]:
    """The final line: ``{"type": "summary", ...Report.summary()}`` with the run's identity.

    >>> from ict2rules import evaluate
    >>> line = summary_line(evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2023-10-01"))
    >>> line["type"], line["teachers"]["checked"]
    ('summary', 1)
    """
    return {
        "type": "summary",
        "version": REPORT_VERSION,
        "ruleset": report.ruleset.id,
        "as_of": report.as_of.isoformat(),
        "inputs": report.inputs,
        **report.summary(),
    }


@writer("jsonl")
def write_jsonl(report: Report, stream: IO[str], **_: Any) -> None:
    line = Lines(report.ruleset).line  # the one finding encoder, as a streamed run's
    for f in report.findings:
        stream.write(line(f) + "\n")
    stream.write(dump(summary_line(report)) + "\n")
