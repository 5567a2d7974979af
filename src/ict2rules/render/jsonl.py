"""``--format jsonl``: one finding per line, then one summary line — for big runs and pipes.

Each finding line is exactly :func:`ict2rules.report.finding_dict` (the objects of the JSON
report's ``findings``, encoded by ``stream.Lines``: each rule's fixed parts once), the same shape a streamed roster check writes (``stream.py``, which
orders lines as it reads rows and adds per-school roll-up lines). The last line is the
summary, marked ``"type": "summary"``. Before it, one ``"type": "input_problem"`` line per
problem of the inputs (a row skipped, a row not joined to a school … — the items of the JSON
report's ``input_problems``)::

    {"rule": "ZK-T-HOURS-TOTAL", "subject": {...}, "status": "fail", ...}
    {"type": "input_problem", "kind": "skipped_row", "file": "roster.csv", "row": 7, ...}
    {"type": "summary", "version": 1, "ruleset": "zeku_2023", "as_of": "2023-10-08", "passed": false, ...}

A line without ``type`` is a finding; a reader skips types it does not know (fields and line
types are only ever added).
"""

from __future__ import annotations

import codecs
from typing import IO, Any

from ..jsonlines import Lines, dump
from ..report import REPORT_VERSION, Report
from .problems import jsonl_item
from .registry import writer


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
def write_jsonl(report: Report, stream: IO[str], *, encoded: IO[bytes] | None = None, **_: Any) -> None:
    """``encoded``: the findings' lines already written (``evaluate(lines=…)``, in the
    workers), copied from its start; ``report.findings`` is then empty."""
    if encoded is not None:
        copy_lines(encoded, stream)
    line = Lines(report.ruleset).line  # the one finding encoder, as a streamed run's
    for f in report.findings:
        stream.write(line(f) + "\n")
    for p in report.input_problems:
        stream.write(dump(jsonl_item(p)) + "\n")
    stream.write(dump(summary_line(report)) + "\n")


BLOCK = 1 << 22  # bytes copied at a time


def copy_lines(encoded: IO[bytes], stream: IO[str], sep: bytes = b"\n") -> None:
    """Copy the lines of ``encoded`` (UTF-8, read from its start) to ``stream``, every line
    break but the last written as ``sep`` (JSON's ``b",\\n    "``). Bytes go to a UTF-8
    file's buffer as they are, in big blocks, never decoded; any other stream (a StringIO, a
    console in another encoding, whose fallbacks then apply) is given the text.

    >>> import io
    >>> out = io.StringIO()
    >>> copy_lines(io.BytesIO("{\\"a\\":\\"符\\"}\\n{}\\n".encode()), out, b",\\n  ")
    >>> out.getvalue()
    '{"a":"符"},\\n  {}\\n'
    """
    encoded.seek(0)
    buffer = getattr(stream, "buffer", None)
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if buffer is not None and encoding == "utf8":
        stream.flush()
        put = buffer.write
    else:
        decode = codecs.getincrementaldecoder("utf-8")("surrogatepass").decode

        def put(block: bytes) -> None:
            stream.write(decode(block))

    broken = False  # the last block ended a line: its break is written before the next block
    while block := encoded.read(BLOCK):
        if broken:
            put(sep)
        broken = block.endswith(b"\n")
        body = block[:-1] if broken else block
        put(body.replace(b"\n", sep) if sep != b"\n" else body)
    if broken:
        put(b"\n")
