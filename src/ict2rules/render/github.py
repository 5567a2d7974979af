"""``--format github``: GitHub Actions workflow commands, one annotation per finding not met.

::

    ::error file=plans/school.yaml,line=45,title=ZK-T-HOURS-TOTAL 总学时不少于75学时::ZK-MYZX/王海燕(ZK002) …

Errors are ``::error``, warnings ``::warning``, info ``::notice``; GitHub shows them on the
file and line of the record (see :func:`ict2rules.render.sarif.locate`). The last line is a
plain summary for the job log. For a rendered report in the job summary use
``--format markdown -o "$GITHUB_STEP_SUMMARY"``.
"""

from __future__ import annotations

from typing import IO, Any

from ..errors import printable
from ..kinds.base import Status
from ..report.report import InputProblem, Report, message
from .problems import TITLE, counts_line, kind_label, plain_line
from .problems import _lang as problem_lang
from .registry import writer
from .sarif import locate
from .text import LABELS, pct, said_values

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``%``, CR, LF), as the Actions runner expects.

    >>> escape_data("50%\\nnext")
    '50%25%0Anext'
    """
    # the runner's log interprets ANSI escapes: none from a file reaches it
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (also ``:`` and ``,``).

    >>> escape_property("a,b: c")
    'a%2Cb%3A c'
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


@writer("github")
def write_github(report: Report, stream: IO[str], *, lang: str = "zh", **_: Any) -> None:
    t = LABELS[lang]
    where = locate(report)
    for f in report.findings:
        if f.status not in (Status.FAIL, Status.MISSING_DATA):
            continue
        rule = f.compiled.rule
        file, line = where(f.subject)
        props = []
        if file:
            props.append(f"file={escape_property(file)}")
            if line:
                props.append(f"line={line}")
        props.append(f"title={escape_property(f'{rule.id} {getattr(rule.title, lang)}')}")
        expected, actual = said_values(f, lang)
        body = (
            f"{f.subject.label()}: {message(f, lang)}\n"
            f"{t['expected']} {expected} · {t['actual']} {actual}\n"
            f"{t['source']} {rule.source.section}「{rule.source.quote}」"
        )
        stream.write(f"::{COMMAND[rule.severity]} {','.join(props)}::{escape_data(body)}\n")
    for p in report.input_problems:
        stream.write(github_line(p, lang))
    s = report.summary()
    ts = s["teachers"]
    verdict = t["verdict_ok"] if report.passed else t["verdict_bad"]
    stream.write(
        f"ict2rules {report.ruleset.id} {report.as_of.isoformat()}: {verdict} · "
        f"{t['error']} {s['errors']} · {t['warning']} {s['warnings']} · "
        f"{t['teachers']} {ts['checked']} · {t['passed']} {ts['passed']} · {t['pass_rate']} {pct(ts['pass_rate'])}"
        + (f" · {counts_line(report, lang)}" if report.input_problems else "") + "\n"
    )


def github_line(p: InputProblem, lang: str = "zh") -> str:
    """A ``::warning`` workflow command on the file (and line) of the problem."""
    props = []
    if p.file:
        props.append(f"file={escape_property(p.file)}")
        at = p.row if p.row is not None and p.sheet is None else p.line
        if at:
            props.append(f"line={at}")
    props.append(f"title={escape_property(f'{TITLE[problem_lang(lang)]}: {kind_label(p.kind, lang)}')}")
    return f"::warning {','.join(props)}::{escape_data(plain_line(p, lang))}\n"
