"""Which document a report follows and where a rule is in it: lines every writer prints.

Kept apart from the writers so that each of them (text, workbook, Markdown, HTML, JUnit) reads
them from here and no writer imports another for them.

>>> from ict2rules import evaluate
>>> r = evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2024-01-15", keep={"fail"})
>>> document_line(r).startswith("泽库县")
True
>>> source_line(r.findings[0].compiled.rule, r) == r.findings[0].compiled.rule.source.section
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import printable

if TYPE_CHECKING:
    from ..report.report import Report
    from ..rules.ruleset import Rule


def document_line(report: Report) -> str:
    d = report.ruleset.document
    return printable(f"{d.title}({d.issuer}{', ' + d.number if d.number else ''})")


def _cited_title(rule: Rule, report: Report) -> str | None:
    """The title of the document a rule cites when it is not the report's own (an inherited
    rule); reports name documents by title, never by the file the text was copied from."""
    title = rule.source.title or rule.source.document
    return None if title in (None, report.ruleset.document.title) else title


def source_line(rule: Rule, report: Report) -> str:
    """The section, after the cited document's title when it is not the ruleset's own (a rule
    inherited through ``extends``): '三(一)3⑴' or '《…意见》 四'."""
    other = _cited_title(rule, report)
    return printable(f"《{other}》{rule.source.section}" if other else rule.source.section)


def cite_line(rule: Rule, report: Report) -> str:
    """The cited document's title and the section: '《泽库县…实施方案》三(一)3⑴'."""
    title = _cited_title(rule, report) or report.ruleset.document.title
    return printable(f"《{title}》{rule.source.section}")
