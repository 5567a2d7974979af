"""Do the writers stay in bounded memory for a province? Time and peak memory of each format,
against baselines of the same run.

One seeded population (``population.py``: schools, and teachers in a JSON Lines roster, about
half failing something) is written to a folder. Then each case runs in a fresh process, whose
own peak resident set size is read when it ends (``os.wait4``, the child's ``ru_maxrss``):

* ``check``: read, join and check the population, every finding kept (as ``--format json``
  does), and write nothing: the report's own memory and time, under every writer below;
* ``dumps``: the same, then ``json.dumps`` of each finding's dict, written one after another
  (the plainest streamed writer of the same findings: the baseline of the ratios);
* ``dumps-all``: ``json.dumps`` of every finding's dict at once (the report as one list, then
  one string: what a writer that is not streamed costs — several GB for a province, so it runs
  only when asked, ``--cases``);
* ``json``, ``markdown``, ``jsonl``, ``xlsx``: the same check, then that writer into a file;
* ``cli-FORMAT``: ``ict2rules check schools.yaml roster.jsonl -r zeku_2023 -f FORMAT -o …``
  from start to exit (``-f jsonl`` streams the roster row by row);
* ``every``: one check, then every format ``ict2rules check`` writes (or those of
  ``--formats``, in that order), one after another in the same process, each timed (CPU
  seconds) with the resident set size sampled every 20 ms while it writes: one
  province-sized check instead of one per format.

Each line gives the wall seconds of the check and of the writing, the peak RSS of the process,
the writing's time and the peak's ratio to ``dumps``', and the output's size.

    python benchmarks/bench_writers.py                          # 50,000 teachers in 400 schools
    python benchmarks/bench_writers.py --teachers 2000 --schools 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from population import checked_report

AS_OF = "2024-01-15"  # after every Zeku deadline: each unmet rule is a failure
WRITERS = ("json", "markdown", "jsonl", "xlsx")
FORMATS = ("concise", "github", "html", "json", "jsonl", "junit", "markdown", "sarif", "teachers", "text", "xlsx")
CASES = ("check", "dumps", "dumps-all", *WRITERS, *(f"cli-{w}" for w in FORMATS), "every")
DEFAULT = ("check", "dumps", *WRITERS, "cli-json", "cli-jsonl")


def child(case: str, folder: Path) -> dict[str, Any]:
    """Run one case in this process; its figures (the parent adds the peak memory)."""
    out = folder / f"out.{case}"
    if case.startswith("cli-"):
        from ict2rules.cli import main

        fmt = case[4:]
        t0 = time.perf_counter()
        jobs = ["--jobs", os.environ["BENCH_JOBS"]] if os.environ.get("BENCH_JOBS") else []
        code = main(["check", str(folder / "schools.yaml"), str(folder / "roster.jsonl"), "-r", "zeku_2023",
                     "--as-of", AS_OF, "-f", fmt, "-o", str(out), *jobs])
        return {"check_s": None, "write_s": time.perf_counter() - t0, "exit": code, "bytes": out.stat().st_size}
    t0 = time.perf_counter()
    report = checked_report(folder)
    checked = time.perf_counter() - t0
    if case == "every":
        return {"check_s": checked, "findings": len(report.findings), "formats": every_format(report, folder)}
    t1 = time.perf_counter()
    size = 0
    if case == "dumps":
        from ict2rules.report.report import finding_dict

        with open(out, "w", encoding="utf-8") as stream:
            for f in report.findings:
                stream.write(json.dumps(finding_dict(f, report.ruleset), ensure_ascii=False) + "\n")
        size = out.stat().st_size
    elif case == "dumps-all":
        from ict2rules.report.report import finding_dict

        text = json.dumps([finding_dict(f, report.ruleset) for f in report.findings], ensure_ascii=False)
        size = len(text.encode("utf-8"))
    elif case in WRITERS:
        from ict2rules.render import BINARY, write

        with open(out, "wb" if case in BINARY else "w", encoding=None if case in BINARY else "utf-8") as stream:
            write(case, report, stream)
        size = out.stat().st_size
    return {"check_s": checked, "write_s": time.perf_counter() - t1, "findings": len(report.findings),
            "bytes": size}


def every_format(report: Any, folder: Path) -> dict[str, dict[str, float]]:
    """Each format written in turn: CPU seconds, the highest RSS while writing, the size."""
    import threading

    from ict2rules.render import BINARY, formats, write

    def rss_mb() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

    out: dict[str, dict[str, float]] = {}
    chosen = os.environ.get("BENCH_FORMATS")  # --formats: these, in this order
    for fmt in chosen.split(",") if chosen else formats():
        path = folder / f"every.{fmt}"
        peak, done = [rss_mb()], threading.Event()

        def sample(peak: list[float] = peak, done: threading.Event = done) -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], rss_mb())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        before, t0 = rss_mb(), time.process_time()
        with open(path, "wb" if fmt in BINARY else "w", encoding=None if fmt in BINARY else "utf-8") as stream:
            write(fmt, report, stream)
        cpu = time.process_time() - t0
        done.set()
        sampler.join()
        out[fmt] = {"cpu_s": cpu, "before_mb": before, "peak_mb": max(peak[0], rss_mb()),
                    "bytes": path.stat().st_size}
        path.unlink()
    return out


def tree_pss_mb(pid: int) -> float:
    """The proportional set size of ``pid`` and its descendants (worker processes), MB: each
    page they share (a forked worker's inherited records) counted once in all."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += map(int, f.read().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def measure(case: str, folder: Path, jobs: int | None = None) -> dict[str, Any]:
    """Run ``case`` in a fresh process: its figures, its peak RSS (MB, the largest of it and
    its workers), the peak PSS of it and its workers together, sampled every 50 ms (MB), and
    the CPU seconds of all of them."""
    import threading

    t0 = time.perf_counter()
    env = dict(os.environ, **({"BENCH_JOBS": str(jobs)} if jobs else {}))
    proc = subprocess.Popen([sys.executable, __file__, "--child", case, str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    peak, done = [0.0], threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], tree_pss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    text = proc.stdout.read()
    done.set()
    sampler.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{case}: exit {proc.returncode}")
    figures = json.loads(text)
    figures["wall_s"] = time.perf_counter() - t0
    figures["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    figures["pss_mb"] = peak[0]
    figures["cpu_s"] = usage.ru_utime + usage.ru_stime  # with the workers it waited for
    return figures


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--teachers", type=int, default=50_000)
    p.add_argument("--schools", type=int, default=400)
    p.add_argument("--cases", nargs="*", default=list(DEFAULT), choices=CASES)
    p.add_argument("--jobs", type=int, default=None, help="--jobs of the cli- cases (default: the CLI's)")
    p.add_argument("--formats", default=None,
                   help="the formats of the every case, in order, comma-separated (default: all, by name)")
    p.add_argument("--folder", type=Path, default=None,
                   help="the population's folder, written there when absent (default: a temporary one)")
    p.add_argument("--child", nargs=2, metavar=("CASE", "FOLDER"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    if args.formats:
        os.environ["BENCH_FORMATS"] = args.formats  # (read by the child that writes them)
    from population import write_files

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        if not (folder / "roster.jsonl").exists():
            write_files(folder, args.teachers, args.schools, seed=2023)
        print(f"{args.teachers} teachers in {args.schools} schools, zeku_2023 as of {AS_OF}, "
              f"load {os.getloadavg()[0]:.1f}, jobs {args.jobs or 'default'}")
        print(f"{'case':<14} {'check s':>8} {'write s':>8} {'wall s':>7} {'CPU s':>6} {'peak MB':>8} "
              f"{'PSS MB':>7} {'write/dumps':>11} {'peak/dumps':>10} {'output MB':>9}")
        base: dict[str, Any] | None = None
        for case in args.cases:
            f = measure(case, folder, args.jobs)
            if case == "every":
                print(f"every: check {f['check_s']:.1f} s, {f['findings']} findings, process peak {f['peak_mb']:.0f} MB")
                print(f"{'format':<10} {'CPU s':>7} {'RSS before MB':>13} {'peak MB':>8} {'output MB':>9}")
                for fmt, g in f["formats"].items():
                    print(f"{fmt:<10} {g['cpu_s']:>7.1f} {g['before_mb']:>13.0f} {g['peak_mb']:>8.0f} "
                          f"{g['bytes'] / 1e6:>9.1f}", flush=True)
                continue
            if case == "dumps":
                base = f
            ratio_t = f"{f['write_s'] / base['write_s']:.2f}" if base and not case.startswith("cli") else ""
            ratio_m = f"{f['peak_mb'] / base['peak_mb']:.2f}" if base else ""
            check = f"{f['check_s']:.1f}" if f.get("check_s") is not None else "—"
            print(f"{case:<14} {check:>8} {f['write_s']:>8.1f} {f['wall_s']:>7.1f} {f['cpu_s']:>6.1f} "
                  f"{f['peak_mb']:>8.0f} {f['pss_mb']:>7.0f} {ratio_t:>11} {ratio_m:>10} "
                  f"{f['bytes'] / 1e6:>9.1f}  load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
