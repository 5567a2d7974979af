"""``--format json``: the whole report as one JSON object (see docs/report-format.md)."""

from __future__ import annotations

import json
from typing import IO, Any

from ..report import Report
from . import writer


@writer("json")
def write_json(report: Report, stream: IO[str], **_: Any) -> None:
    json.dump(report.to_dict(), stream, ensure_ascii=False, indent=2)
    stream.write("\n")
