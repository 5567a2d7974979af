"""The hand-written end-to-end pipeline: what ``ict2rules check roster.jsonl schools.yaml -f jsonl
--status fail --status missing_data`` does, written by hand for the Zeku rules.

``json.loads`` each row, the hand-written checks (``handwritten.failures``), one JSON line per
failure (rule, teacher, school, status). No validation, no citations, no messages: the baseline
of the end-to-end ratio in docs/performance.md.

    python benchmarks/pipeline.py roster.jsonl schools.yaml 2023-10-08 > failures.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from handwritten import failures


def main(roster: str, schools: str, as_of: str) -> int:
    import yaml

    scope = {s["id"]: s.get("point_scope") for s in yaml.safe_load(Path(schools).read_text("utf-8"))["schools"]}
    out = sys.stdout
    dumps = json.dumps
    with open(roster, encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            sid = t.get("school_id")
            for rule, status in failures(t, scope.get(sid), as_of):
                out.write(dumps({"rule": rule, "teacher": t.get("id"), "school": sid, "status": status},
                                ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
