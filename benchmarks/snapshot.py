"""Record what the engine says, to prove a refactoring kept it: byte for byte.

Two parts, each a set of files under the output directory:

* ``examples/<ruleset>/<file>@<date>.json``: ``ict2rules check examples/<ruleset>/<file>
  --ruleset <ruleset> -f json --as-of <date>`` (stdout, then the exit code), for every example
  at each date of ``--as-of`` (the CLI, in a fresh process per run);
* ``teachers@<date>.jsonl``: every finding (``report.finding_dict``, both messages included)
  and derived value of the benchmark population's first ``--teachers`` teachers, each checked
  inside its school, one JSON line each;
* ``stream/<name>@<date>.jsonl``: the Henan-sized population (``--stream-teachers`` teachers in
  ``--stream-schools`` schools, ``benchmarks/population.py``) checked by ``ict2rules check
  roster.jsonl schools.yaml -f jsonl --status fail --status missing_data`` (``failures``), the
  same with ``--jobs 2`` (``failures-jobs2``) and, on a tenth of it, with every status kept in
  memory (``-f json``, ``all-memory``) and streamed (``all``); stdout, then the exit code.

    python benchmarks/snapshot.py record /tmp/before      # on the old code
    python benchmarks/snapshot.py record /tmp/after       # on the new code
    python benchmarks/snapshot.py compare /tmp/before /tmp/after

``compare`` lists every file that differs and, for JSON, the first differing findings (rule,
subject, the fields that differ), and exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
DATES = ("2023-10-08", "2024-01-15")


def record_examples(out: Path, dates: tuple[str, ...]) -> None:
    for folder in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.yaml")):
            for date in dates:
                cmd = [sys.executable, "-m", "ict2rules", "check", str(path.relative_to(HERE.parent)),
                       "--ruleset", folder.name, "-f", "json", "--as-of", date]
                run = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent, check=False)
                target = out / "examples" / folder.name / f"{path.stem}@{date}.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(f"{run.stdout}\n# exit {run.returncode}\n{run.stderr}", encoding="utf-8")


def record_teachers(out: Path, n: int, dates: tuple[str, ...]) -> None:
    import datetime as dt

    sys.path.insert(0, str(HERE))
    from population import make_population

    from ict2rules import load_ruleset
    from ict2rules.evaluation.evaluator import Evaluator
    from ict2rules.input.records import School, Teacher
    from ict2rules.kinds.base import Subject
    from ict2rules.report.report import finding_dict, jsonable

    schools, teachers = make_population(n, max(1, n // 200))
    rs = load_ruleset("zeku_2023")
    for date in dates:
        ev = Evaluator(rs, as_of=dt.date.fromisoformat(date))
        parents = {s["id"]: Subject(School.model_validate(s), ev.env) for s in schools}
        lines = []
        for t in teachers:
            _, found = ev.teacher(Teacher.model_validate(t), parents[t["school_id"]])
            lines += [json.dumps(finding_dict(f, rs), ensure_ascii=False, sort_keys=True) for f in found]
            lines += [json.dumps({"value": v.id, "subject": v.subject.to_dict(), "is": jsonable(v.value)},
                                 ensure_ascii=False, sort_keys=True) for v in ev.values]
            ev.forget_values()
        (out / f"teachers@{date}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def record_stream(out: Path, n: int, schools: int, dates: tuple[str, ...]) -> None:
    import tempfile

    sys.path.insert(0, str(HERE))
    from population import write_files

    with tempfile.TemporaryDirectory() as tmp:
        big = write_files(Path(tmp) / "big", n, schools)
        small = write_files(Path(tmp) / "small", max(1, n // 10), max(1, schools // 10))
        runs = {
            "failures": (big, ["-f", "jsonl", "--status", "fail", "--status", "missing_data"]),
            "failures-jobs2": (big, ["-f", "jsonl", "--status", "fail", "--status", "missing_data",
                                     "--jobs", "2"]),
            "all": (small, ["-f", "jsonl"]),
            "all-memory": (small, ["-f", "json"]),
        }
        for date in dates:
            for name, (files, extra) in runs.items():
                cmd = [sys.executable, "-m", "ict2rules", "check", *map(str, files), "-r", "zeku_2023",
                       "--as-of", date, *extra]
                run = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, check=False)
                text = run.stdout.replace(tmp, "TMP")
                target = out / "stream" / f"{name}@{date}.jsonl"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(f"{text}# exit {run.returncode}\n{run.stderr.replace(tmp, 'TMP')}",
                                  encoding="utf-8")


def _findings(text: str) -> list[dict[str, Any]] | None:
    try:
        return json.loads(text.split("\n# exit ")[0])["findings"]
    except (ValueError, KeyError, TypeError):
        return None


def _differences(a: list[dict[str, Any]], b: list[dict[str, Any]], limit: int = 20) -> list[str]:
    found = []
    for i, (x, y) in enumerate(zip(a, b, strict=False)):  # a length change is said below
        if x != y:
            keys = sorted(k for k in set(x) | set(y) if x.get(k) != y.get(k))
            shown = "; ".join(f"{k}: {x.get(k)!r} -> {y.get(k)!r}" for k in keys)
            found.append(f"  #{i} {x.get('rule')} {x.get('subject', {}).get('id')}: {shown}")
            if len(found) >= limit:
                break
    if len(a) != len(b):
        found.append(f"  {len(a)} findings -> {len(b)}")
    return found


def compare(before: Path, after: Path) -> int:
    names = sorted({p.relative_to(before) for p in before.rglob("*") if p.is_file()}
                   | {p.relative_to(after) for p in after.rglob("*") if p.is_file()})
    differ = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"{name}: only in {'after' if b.exists() else 'before'}")
            differ += 1
            continue
        if a.read_bytes() == b.read_bytes():
            continue
        differ += 1
        print(f"{name}: differs")
        ta, tb = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
        if name.suffix == ".jsonl":
            fa = [json.loads(x) for x in ta.splitlines() if x.startswith("{")]
            fb = [json.loads(x) for x in tb.splitlines() if x.startswith("{")]
            print("\n".join(_differences(fa, fb)) or "  (lines equal; the exit code or stderr differs)")
        elif (fa := _findings(ta)) is not None and (fb := _findings(tb)) is not None:
            print("\n".join(_differences(fa, fb)) or "  (findings equal; elsewhere)")
    print(f"{len(names)} files, {differ} differ")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("out", type=Path)
    rec.add_argument("--teachers", type=int, default=3000)
    rec.add_argument("--as-of", nargs="+", default=list(DATES))
    rec.add_argument("--stream-teachers", type=int, default=48_890)
    rec.add_argument("--stream-schools", type=int, default=420)
    rec.add_argument("--only", choices=["examples", "teachers", "stream"], nargs="+",
                     default=["examples", "teachers", "stream"])
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "compare":
        return compare(args.before, args.after)
    args.out.mkdir(parents=True, exist_ok=True)
    if "examples" in args.only:
        record_examples(args.out, tuple(args.as_of))
    if "teachers" in args.only:
        record_teachers(args.out, args.teachers, tuple(args.as_of))
    if "stream" in args.only:
        record_stream(args.out, args.stream_teachers, args.stream_schools, tuple(args.as_of))
    return 0


if __name__ == "__main__":
    sys.exit(main())
