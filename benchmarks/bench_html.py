"""Does a province's ``--format html`` open? Size of the page and its time to load in headless
Chromium, against a baseline of the same run.

One seeded population (``population.py``: schools, and teachers in a JSON Lines roster, about
half failing something) is checked against zeku_2023 as ``ict2rules check`` checks it. Then:

* ``report``: the page ``--format html`` writes (summary, overview, charts, each school's
  teachers who have not passed, each rule not met);
* ``plain table``: the baseline — the same teacher rows (id, name, verdict, what is open for
  them) as one bare ``<table>``: no style, no chart, nothing folded. What those rows cost a
  browser by themselves.

Each page is loaded ``--repeat`` times in one headless Chromium (selenium and chromedriver),
a fresh navigation each time; the figures are the best of them: ``load`` is the navigation's
``loadEventEnd`` (parsed, laid out, every resource loaded), ``wall`` the time ``driver.get``
took. The writer's CPU time (``time.process_time``) and the file size are given too.

    python benchmarks/bench_html.py                       # 50,000 teachers in 400 schools
    python benchmarks/bench_html.py --teachers 2000 --schools 20 --repeat 1
"""

from __future__ import annotations

import argparse
import html
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from population import checked_report  # the population checked as the CLI checks it


def write_report(report: Any, path: Path) -> float:
    """The page ``--format html`` writes; the writer's CPU seconds."""
    from ict2rules.render import write

    t0 = time.process_time()
    with path.open("w", encoding="utf-8") as out:
        write("html", report, out, lang="zh")
    return time.process_time() - t0


def write_plain(report: Any, path: Path) -> float:
    """The baseline: the teachers who have not passed, one bare table row each."""
    from ict2rules.kinds.base import Status

    t0 = time.process_time()
    verdicts = {key: ok for level, key, ok in report.subjects if level == "teacher"}
    open_: dict[tuple[str | None, str], list[Any]] = {}
    for f in report.findings:
        if f.subject.level == "teacher" and f.status in (Status.FAIL, Status.MISSING_DATA, Status.PENDING):
            open_.setdefault((f.subject.school, f.subject.id), []).append(f)
    with path.open("w", encoding="utf-8") as out:
        out.write('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>plain</title></head><body><table>\n')
        for (school, tid), fs in open_.items():
            if verdicts.get(f"{school}/{tid}" if school else tid, False):
                continue
            ref = fs[0].subject
            items = "、".join(f"{f.status.value} {f.compiled.rule.title.zh}" for f in fs)
            out.write(f"<tr><td>{html.escape(school or '')}</td><td>{html.escape(ref.name or '')}({html.escape(tid)})</td>"
                      f"<td>{html.escape(items)}</td></tr>\n")
        out.write("</table></body></html>\n")
    return time.process_time() - t0


def load_times(pages: list[Path], repeat: int, profile: Path) -> dict[Path, tuple[float, float]]:
    """(load event ms, wall ms of ``driver.get``), best of ``repeat``, for each page."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = next(shutil.which(p) for p in ("chromium", "chromium-browser", "google-chrome") if shutil.which(p))
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,1600", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(600)
    out = {}
    try:
        for page in pages:
            best = (float("inf"), float("inf"))
            for _ in range(repeat):
                driver.get("about:blank")
                t0 = time.perf_counter()
                driver.get(page.as_uri())
                wall = (time.perf_counter() - t0) * 1000
                load = driver.execute_script("return performance.getEntriesByType('navigation')[0].loadEventEnd")
                best = min(best, (float(load), wall))
            out[page] = best
    finally:
        driver.quit()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teachers", type=int, default=50_000)
    ap.add_argument("--schools", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="also copy the report page here (to look at it)")
    args = ap.parse_args()
    from population import write_files

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_files(folder, args.teachers, args.schools)
        report = checked_report(folder)
        for f in report.findings:  # explained once, before any timing: both writers start alike
            if f.status.value != "pass":
                _ = f.outcome
        pages = {"report": folder / "report.html", "plain table": folder / "plain.html"}
        cpu = {"report": write_report(report, pages["report"]), "plain table": write_plain(report, pages["plain table"])}
        if args.keep:
            shutil.copyfile(pages["report"], args.keep)
        times = load_times(list(pages.values()), args.repeat, folder / "profile")
        sizes = {name: path.stat().st_size / 1e6 for name, path in pages.items()}
        teachers = report.summary()["teachers"]["checked"]
    print(f"{teachers:,} teachers in {args.schools} schools, best of {args.repeat} loads\n")
    print("| page | file, MB | written, CPU s | load event, s | driver.get, s |")
    print("|---|---:|---:|---:|---:|")
    for name, path in pages.items():
        load, wall = times[path]
        print(f"| {name} | {sizes[name]:.1f} | {cpu[name]:.1f} | {load / 1000:.2f} | {wall / 1000:.2f} |")


if __name__ == "__main__":
    main()
