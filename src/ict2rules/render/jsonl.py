"""``--format jsonl``: one finding per line, then one summary line — for big runs and pipes.

Each finding line is exactly :func:`ict2rules.report.report.finding_dict` (the objects of the JSON
report's ``findings``, encoded by ``stream.Lines``: each rule's fixed parts once), the same shape a streamed roster check writes (``evaluation/stream.py``, which
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
import contextlib
import os
from typing import IO, Any, NamedTuple

from ..report.jsonlines import Lines, dump, jsonl_item
from ..report.report import REPORT_VERSION, Report
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
def write_jsonl(report: Report, stream: IO[str], *, encoded: Held | None = None, **_: Any) -> None:
    """``encoded``: the findings' lines already written (``check_records(lines=…)``, in the
    workers), copied as they are; ``report.findings`` is then empty."""
    if encoded is not None:
        copy_lines(encoded.file, stream)
    line = Lines(report.ruleset).line  # the one finding encoder, as a streamed run's
    for f in report.findings:
        stream.write(line(f) + "\n")
    for p in report.input_problems:
        stream.write(dump(jsonl_item(p)) + "\n")
    stream.write(dump(summary_line(report)) + "\n")


BLOCK = 1 << 22  # bytes copied at a time when they must be read


class Held(NamedTuple):
    """Finding lines written ahead (``check_records(lines=file, line_end=end)``): a binary
    ``file`` of UTF-8 lines, each followed by ``end`` — ``b"\\n"`` for jsonl, JSON's item
    separator ``b",\\n    "`` for json, so that a writer copies one range of bytes."""

    file: IO[bytes]
    end: bytes = b"\n"


def copy_lines(encoded: IO[bytes], stream: IO[str], trim: int = 0) -> None:
    """Copy ``encoded`` (UTF-8, from its start) but its last ``trim`` bytes to ``stream``.
    A UTF-8 file or pipe is given the bytes by the kernel (``os.sendfile``: never read into
    the process; reading a big temporary file back cost more than writing it); any other
    stream (a StringIO, a console in another encoding, whose fallbacks then apply) the text.

    >>> import io
    >>> out = io.StringIO()
    >>> copy_lines(io.BytesIO("{\\"a\\":\\"符\\"},\\n".encode()), out, trim=2)
    >>> out.getvalue()
    '{"a":"符"}'
    """
    encoded.flush()
    left = encoded.seek(0, 2) - trim
    encoded.seek(0)
    buffer = getattr(stream, "buffer", None)
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if buffer is not None and encoding == "utf8":
        stream.flush()
        buffer.flush()
        offset = 0  # what the kernel copied; the rest is read below (not a file, an error)
        with contextlib.suppress(OSError, ValueError, AttributeError):
            out, src = buffer.fileno(), encoded.fileno()
            while offset < left:
                sent = os.sendfile(out, src, offset, left - offset)
                if not sent:
                    break
                offset += sent
        encoded.seek(offset)
        left -= offset
        put = buffer.write
    else:
        decode = codecs.getincrementaldecoder("utf-8")("surrogatepass").decode

        def put(block: bytes) -> None:
            stream.write(decode(block))

    while left > 0 and (block := encoded.read(min(BLOCK, left))):
        put(block)
        left -= len(block)
