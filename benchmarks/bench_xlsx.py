"""Which library writes ``--format xlsx`` for a province: openpyxl (write-only) or XlsxWriter
(constant memory)? Time and memory of writing the same workbook, against baselines of the
same run.

One seeded population (``population.py``: schools, and teachers in a JSON Lines roster, about
half failing something) is checked against zeku_2023 as ``ict2rules check`` does. Then, each
in a fresh process so that memory is its own, the same sheets and rows are written through:

* ``null``: rows made and thrown away (what making the rows costs: messages, plain words);
* ``csv``: the rows written with the csv module, one file per sheet (the cheapest writer of
  those rows: the baseline the ratios are against);
* ``openpyxl``: openpyxl's write-only workbook (styles made once, cells appended as rows);
* ``xlsxwriter``: XlsxWriter with ``constant_memory`` (rows flushed to a temporary file), as
  ``--format xlsx`` writes: each row of text and blank cells whole (``render/xlsx.py:RowCells``);
* ``xlsxwriter-cells``: the same, every cell through XlsxWriter's ``write_*`` (what the
  writer did before ``RowCells``, and does with an XlsxWriter its probes do not recognise).

Each line gives the CPU seconds of writing (``time.process_time``, best of ``--repeat``), the
ratio to ``csv``, the memory the writing added on top of the checked report (peak resident set
size while writing, sampled every 20 ms, minus the size before), and the file's size.

    python benchmarks/bench_xlsx.py                       # 50,000 teachers in 400 schools
    python benchmarks/bench_xlsx.py --teachers 2000 --schools 20 --repeat 1
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from population import checked_report

AS_OF = "2024-01-15"  # after every Zeku deadline: each unmet rule is a failure
ENGINES = ("null", "csv", "openpyxl", "xlsxwriter", "xlsxwriter-cells")


def rss_mb() -> float:
    """This process's resident set size now, in MB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class Peak(threading.Thread):
    """The highest resident set size seen while it runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = rss_mb()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, rss_mb())


class NullBook:
    """Rows made and dropped."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def sheet(self, title: str, columns: Any) -> NullBook:
        self.rows = 0
        return self

    def append(self, values: Any, style: str = "") -> None:
        self.rows += 1

    def append_styled(self, values: Any, styles: Any) -> None:  # a 汇总 row with figures of their own
        self.append(values)

    def close(self) -> None:
        pass

    def save(self) -> None:
        self.stream.write(b"\0")


class CsvBook:
    """Each sheet as CSV text, all into the one stream (size is what matters, not the shape)."""

    def __init__(self, stream: IO[bytes]) -> None:
        import io

        self.out = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        self.writer = csv.writer(self.out)

    def sheet(self, title: str, columns: Any) -> CsvBook:
        self.rows = 0
        self.out.write(f"# {title}\n")
        self.append([c.header for c in columns])
        return self

    def append(self, values: Any, style: str = "") -> None:
        self.writer.writerow(values)
        self.rows += 1

    def append_styled(self, values: Any, styles: Any) -> None:
        self.append(values)

    def close(self) -> None:
        pass

    def save(self) -> None:
        self.out.flush()
        self.out.detach()


def one(engine: str, folder: Path, repeat: int) -> dict[str, Any]:
    """Write the workbook with ``engine`` ``repeat`` times in this process; the figures."""
    from ict2rules.render import xlsx

    xlsx.ENGINES.update(null=NullBook, csv=CsvBook)
    if engine == "xlsxwriter-cells":
        xlsx.writes_rows_at_once = lambda: False
    report = checked_report(folder)
    for f in report.findings:  # explained once, before any timing: every engine starts alike
        if f.status.value != "pass":
            _ = f.outcome
    out = folder / f"out.{engine}"
    times, added = [], 0.0
    for _ in range(repeat):
        gc.collect()
        before = rss_mb()
        peak = Peak()
        peak.start()
        t0 = time.process_time()
        with open(out, "wb") as stream:
            xlsx.write_xlsx(report, stream, engine=engine.removesuffix("-cells"))
        times.append(time.process_time() - t0)
        peak.done.set()
        peak.join()
        added = max(added, peak.peak - before)
    teachers = report.summary()["teachers"]["checked"]
    return {"engine": engine, "cpu": min(times), "added_mb": added, "size_mb": out.stat().st_size / 1e6,
            "teachers": teachers}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teachers", type=int, default=50_000)
    ap.add_argument("--schools", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: one engine, in this process
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.data, args.repeat)))
        return
    from population import write_files

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_files(folder, args.teachers, args.schools)
        rows = []
        for engine in args.engines.split(","):
            done = subprocess.run(
                [sys.executable, __file__, "--one", engine, "--data", str(folder), "--repeat", str(args.repeat)],
                check=True, capture_output=True, text=True,
            )
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    base = next((r["cpu"] for r in rows if r["engine"] == "csv"), None)
    print(f"{rows[0]['teachers']:,} teachers in {args.schools} schools, best of {args.repeat}\n")
    print("| writer | CPU s | vs csv | memory added, MB | file, MB |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        ratio = f"{r['cpu'] / base:.2f}" if base else "—"
        print(f"| {r['engine']} | {r['cpu']:.1f} | {ratio} | {r['added_mb']:.0f} | {r['size_mb']:.1f} |")


if __name__ == "__main__":
    main()
