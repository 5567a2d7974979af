"""The benchmark script still runs: a tiny population, the three throughputs and the agreement
line printed. No timing is asserted (benchmarks are run by hand; see docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_zeku_prints_three_throughputs_and_agrees():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_zeku.py"), "--teachers", "120", "--schools", "3",
         "--repeat", "1"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for name in ("(a) hand-written function", "(b) ict2rules, failures only",
                 "(b) ict2rules, every finding + messages", "(b) ict2rules input validation"):
        assert name in out and "records/s" in out.split(name)[1].splitlines()[0]
    assert "(c) rule-engine" in out  # a rate, or "skipped" when the package is absent
    assert "ratio (b) ict2rules, failures only" in out
    assert "all checkers agree on every failure: yes" in out
