"""How long the human-readable writers take on a province: ``--format text`` (default and
``--details``), ``teachers`` (the list for each teacher) and ``concise`` (a line a finding),
against a baseline of the same run.

One seeded population (``population.py``: schools, and teachers in a JSON Lines roster, about
half failing something) is checked against zeku_2023 once, as ``ict2rules check`` does; every
finding's outcome is worked out before any timing (each writer starts alike). Then each writer
writes the report to a file, best of ``--repeat``:

* ``print``: one ``print`` per finding not met (subject, rule, status), the cheapest way to
  write the same findings: the baseline the ratios are against;
* ``text``, ``text --details``, ``teachers``, ``concise``: the writers as the CLI calls them.

Each line gives the CPU seconds (``time.process_time``), the ratio to ``print``, and the size
of what was written.

    python benchmarks/bench_text.py                        # 50,000 teachers in 400 schools
    python benchmarks/bench_text.py --teachers 2000 --schools 20 --repeat 1
    python benchmarks/bench_text.py --data /tmp/pop --only text   # a population written before
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from population import checked_report

AS_OF = "2024-01-15"  # after every Zeku deadline: each unmet rule is a failure


def baseline(report: Any, stream: IO[str]) -> None:
    """Every finding not met, one ``print`` each."""
    for f in report.findings:
        if f.status.value in ("fail", "missing_data"):
            print(f.subject.label(), f.rule_id, f.status.value, file=stream)


def writers(only: str | None = None) -> dict[str, Callable[[Any, IO[str]], None]]:
    from ict2rules.render import formats, write

    out: dict[str, Callable[[Any, IO[str]], None]] = {"print": baseline}
    known = formats()
    for name, fmt, options in (
        ("text", "text", {}), ("text --details", "text", {"details": True}),
        ("teachers", "teachers", {}), ("concise", "concise", {}),
    ):
        if fmt in known:
            out[name] = lambda r, s, fmt=fmt, options=options: write(fmt, r, s, color=False, **options)
    if only:
        out = {k: v for k, v in out.items() if k == "print" or k in only.split(",")}
    return out


def measure(report: Any, folder: Path, repeat: int, only: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for name, fn in writers(only).items():
        path = folder / "out.txt"
        times = []
        for _ in range(repeat):
            t0 = time.process_time()
            with open(path, "w", encoding="utf-8") as stream:
                fn(report, stream)
            times.append(time.process_time() - t0)
        rows.append({"writer": name, "cpu": min(times), "size_mb": path.stat().st_size / 1e6})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teachers", type=int, default=50_000)
    ap.add_argument("--schools", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--data", type=Path, help="a folder population.py wrote (default: write one)")
    ap.add_argument("--only", help="writers to time, comma-separated (print is always timed)")
    args = ap.parse_args()
    from population import write_files

    with contextlib.ExitStack() as stack:
        folder = args.data or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if not args.data:
            write_files(folder, args.teachers, args.schools)
        t0 = time.process_time()
        report = checked_report(folder)
        check = time.process_time() - t0
        for f in report.findings:  # explained once, before any timing
            if f.status.value != "pass":
                _ = f.outcome
        rows = measure(report, Path(stack.enter_context(tempfile.TemporaryDirectory())), args.repeat, args.only)
    teachers = report.summary()["teachers"]["checked"]
    base = rows[0]["cpu"]
    print(f"{teachers:,} teachers in {args.schools} schools (checked in {check:.1f} s CPU), "
          f"best of {args.repeat}\n")
    print("| writer | CPU s | vs print | output, MB |")
    print("|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['writer']} | {r['cpu']:.2f} | {r['cpu'] / base:.1f} | {r['size_mb']:.1f} |")


if __name__ == "__main__":
    main()
