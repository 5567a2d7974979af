"""``--format json``: the whole report as one JSON object (see docs/report-format.md).

Written piece by piece, in bounded memory: the top of the object indented, then each item of
``input_problems``, ``findings`` and ``values`` on a line of its own (compact, as a ``jsonl``
line), made and written one at a time (never the whole report as one dict, nor one string). It parses to exactly
:meth:`~ict2rules.report.report.Report.to_dict`.

>>> import io, json
>>> from ict2rules import evaluate
>>> r = evaluate("zeku_2023", {"teacher": {"id": "T1"}}, as_of="2023-10-01")
>>> out = io.StringIO()
>>> write_json(r, out)
>>> json.loads(out.getvalue()) == r.to_dict()
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from ..report.report import Report, value_dict
from .jsonl import Held
from .registry import writer

_ITEM = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # the C encoder: one line


def _list(stream: IO[str], key: str, items: Iterable[Any], last: bool = False, encoded: bool = False) -> None:
    stream.write(f'  "{key}": [')
    sep = "\n    "
    for item in items:
        stream.write(sep)
        stream.write(item if encoded else _ITEM.encode(item))
        sep = ",\n    "
    stream.write("\n  ]" if sep != "\n    " else "]")
    stream.write("\n" if last else ",\n")


@writer("json")
def write_json(report: Report, stream: IO[str], *, encoded: Held | None = None, **_: Any) -> None:
    """``encoded``: the findings' lines already written, each ended by ``",\\n    "``
    (``check_records(lines=…, line_end=…)``, in the workers), copied as they are;
    ``report.findings`` is then empty."""
    rs = report.ruleset
    head = report.to_dict(items=False)  # everything but the lists of items
    body = json.dumps(head, ensure_ascii=False, indent=2)
    stream.write(body[: body.rindex("\n}")] + ",\n")
    _list(stream, "input_problems", (p.to_dict() for p in report.input_problems))
    from ..report.jsonlines import Lines

    if encoded is not None and encoded.file.seek(0, 2):  # each line and its separator
        from .jsonl import copy_lines

        stream.write('  "findings": [\n    ')
        copy_lines(encoded.file, stream, trim=len(encoded.end))  # the last line has none
        stream.write("\n  ],\n")
    else:
        lines = Lines(rs)
        _list(stream, "findings", (lines.line(f) for f in report.findings), encoded=True)
    _list(stream, "values", (value_dict(v) for v in report.values), last=True)
    stream.write("}\n")
