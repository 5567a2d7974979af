"""The issue-#11 ratios in one run: ict2rules against the hand-written baseline, and import time.

1-3. ``bench_zeku.py`` (in this process): failures only, every finding with both messages,
     every finding as a JSON line — each as a share of ``handwritten.failures``' throughput;
4.   end to end, from files, each in a fresh process (CPU time of the child, user + system,
     best of ``--repeat``): ``ict2rules check roster.jsonl schools.yaml -f jsonl --status fail
     --status missing_data`` against ``benchmarks/pipeline.py`` (json.loads → the hand-written
     checks → one JSON line per failure) on the Henan-sized population;
5.   ``import ict2rules`` against ``import pydantic, yaml``: ``python -X importtime``, the
     cumulative microseconds of the top-level imports, best of ``--repeat`` fresh processes;
     for information, the CPU time of a process that imports ict2rules and loads a ruleset
     (what any check pays before its first record), of ``ict2rules --help`` and of
     ``ict2rules check --help``, against one that imports pydantic and yaml.

ict2rules' bytecode is compiled first (``python -m compileall``), as ``pip install`` does:
with ``PYTHONDONTWRITEBYTECODE=1`` and an editable install, each child process would
otherwise compile ict2rules' source again (about 0.25 s a process), which no installed copy
does.

    python benchmarks/bench_ratios.py                  # 20,000 teachers; Henan-sized end to end
    python benchmarks/bench_ratios.py --teachers 2000 --e2e-teachers 5000 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def child_cpu(cmd: list[str], stdout: Path) -> float:
    """CPU seconds (user + system) of one child process and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with stdout.open("wb") as out:
        subprocess.run(cmd, stdout=out, stderr=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_us(code: str, names: list[str]) -> int:
    """Cumulative import time (µs) of the top-level modules ``names`` in a fresh process."""
    run = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    total = 0
    for line in run.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|(\s*)(\S+)$", line)
        if m and m.group(3) in names and len(m.group(2)) == 1:  # a top-level import
            total += int(m.group(1))
    return total


def compile_package() -> None:
    """Write ict2rules' bytecode (``__pycache__``), as installing the package does."""
    import importlib.util

    spec = importlib.util.find_spec("ict2rules")
    assert spec is not None and spec.submodule_search_locations
    subprocess.run([sys.executable, "-m", "compileall", "-q", *spec.submodule_search_locations],
                   stdout=subprocess.DEVNULL, check=True)


def process_cpu(cmd: list[str], repeat: int) -> float:
    """Best CPU seconds (user + system) of ``repeat`` runs of a child process."""
    return min(child_cpu(cmd, Path(os.devnull)) for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teachers", type=int, default=20_000)
    ap.add_argument("--e2e-teachers", type=int, default=48_890)
    ap.add_argument("--e2e-schools", type=int, default=420)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    import bench_zeku
    from population import write_files

    compile_package()

    print("== 1-3: rules (bench_zeku.py)")
    bench_zeku.main(["--teachers", str(args.teachers), "--repeat", str(args.repeat), "--peer-teachers", "0"])

    print("\n== 4: end to end, failures only, from files (CPU s of the child, best of runs)")
    tmp = Path(tempfile.mkdtemp())
    roster, schools = write_files(tmp, args.e2e_teachers, args.e2e_schools)
    as_of = bench_zeku.AS_OF  # after every deadline: both write every unmet rule as a failure
    ours = [sys.executable, "-m", "ict2rules", "check", str(roster), str(schools), "-r", "zeku_2023",
            "--as-of", as_of, "-f", "jsonl", "--status", "fail", "--status", "missing_data"]
    hand = [sys.executable, str(HERE / "pipeline.py"), str(roster), str(schools), as_of]
    t_ours = min(child_cpu(ours, tmp / "ours.jsonl") for _ in range(args.repeat))
    t_hand = min(child_cpu(hand, tmp / "hand.jsonl") for _ in range(args.repeat))
    n = args.e2e_teachers
    lines_ours = sum(1 for x in (tmp / "ours.jsonl").open(encoding="utf-8") if '"level":"teacher"' in x)
    lines_hand = sum(1 for _ in (tmp / "hand.jsonl").open(encoding="utf-8"))
    print(f"hand-written pipeline {t_hand:7.2f} s  {n / t_hand:10,.0f} rows/s  ({lines_hand} failure lines)")
    print(f"ict2rules check       {t_ours:7.2f} s  {n / t_ours:10,.0f} rows/s  ({lines_ours} teacher failure lines)")
    print(f"ratio end to end {t_hand / t_ours:.3f} of hand-written  (1/{t_ours / t_hand:.1f})")

    print("\n== 5: import time (python -X importtime, cumulative µs, best of runs)")
    ours_us = min(import_us("import ict2rules", ["ict2rules"]) for _ in range(max(3, args.repeat)))
    base_us = min(import_us("import pydantic, yaml", ["pydantic", "yaml"]) for _ in range(max(3, args.repeat)))
    print(f"import pydantic, yaml {base_us / 1000:7.1f} ms")
    print(f"import ict2rules      {ours_us / 1000:7.1f} ms")
    print(f"ratio import {ours_us / base_us:.2f}× of pydantic + yaml")
    py = sys.executable
    reps = max(3, args.repeat)
    base_cpu = process_cpu([py, "-c", "import pydantic, yaml"], reps)
    print(f"\nprocess CPU s, best of {reps}: python -c 'import pydantic, yaml' {base_cpu:.3f}")
    for name, cmd in [
        ("import ict2rules + load_ruleset('zeku_2023')",
         [py, "-c", "import ict2rules; ict2rules.load_ruleset('zeku_2023')"]),
        ("ict2rules --help", [py, "-m", "ict2rules", "--help"]),
        ("ict2rules check --help", [py, "-m", "ict2rules", "check", "--help"]),
    ]:
        cpu = process_cpu(cmd, reps)
        print(f"  {name:<46} {cpu:.3f}  ({cpu / base_cpu:.1f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
