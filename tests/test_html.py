"""``--format html`` that scales: the overview, the charts, the collapsed school details and the
large-report mode, read back from the page (with html.parser, and in headless Chromium)."""

from __future__ import annotations

import html as html_lib
import io
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ict2rules import evaluate
from ict2rules.evaluation.stream import attach_teachers
from ict2rules.input.files import Records, read_records
from ict2rules.kinds.base import Status
from ict2rules.render import write
from ict2rules.render.html import MAX_LISTED, OVERVIEW_COLS, overview
from ict2rules.render.svg import BAR_PX, Bar, columns, fit, hbars, text_px
from ict2rules.render.text import MARKS
from ict2rules.render.xlsx import measured_rules, school_rows

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from population import write_files  # noqa: E402

AS_OF = "2024-01-15"  # after every zeku deadline: every unmet rule is a failure
TEACHERS, SCHOOLS = 300, 6


@pytest.fixture(scope="module")
def population(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("population")
    write_files(folder, TEACHERS, SCHOOLS)
    return folder


@pytest.fixture(scope="module")
def report(population):
    records = Records()
    for name in ("schools.yaml", "roster.jsonl"):
        records.extend(read_records(population / name))
    records.teachers = attach_teachers(records.teachers, records.schools)
    return evaluate("zeku_2023", records, as_of=AS_OF)


def page(report, **options) -> str:
    out = io.StringIO()
    write("html", report, out, **options)
    return out.getvalue()


class Reader(HTMLParser):
    """The text of every element with an id or a data-col, by path; the tags seen."""

    VOID = ("meta", "link", "br", "img", "input", "rect", "line")

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: dict[str, str] = {}
        self.rows: dict[str, dict[str, str]] = {}  # data-school / data-region → data-col → text
        self._open: list[tuple[str, str | None, str | None]] = []
        self._row: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in self.VOID:
            return
        if tag == "tr":
            key = a.get("data-school") if "data-school" in a else ("region:" + a["data-region"]) if "data-region" in a else \
                "total" if a.get("id") == "overview-total" else None
            self._row = key
            if key is not None:
                self.rows[key] = {}
        self._open.append((tag, a.get("id"), a.get("data-col")))
        if a.get("id"):
            self.ids[a["id"]] = ""
        if a.get("data-col") and self._row is not None:
            self.rows[self._row][a["data-col"]] = ""

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self._open:
            if self._open.pop()[0] == tag:
                break
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        for _, ident, col in self._open:
            if ident:
                self.ids[ident] += data
            if col and self._row is not None:
                self.rows[self._row][col] += data

    def count(self, tag: str, **attrs: str) -> int:
        return sum(1 for t, a in self.tags if t == tag and all(
            (a.get(k.replace("_", "-")) or "").split().__contains__(v) if k == "class" else a.get(k.replace("_", "-")) == v
            for k, v in attrs.items()))


def pct(n: int, total: int) -> str:
    return f"{n / total * 100:.1f}%"


def measure_text(report, rule_id: str, m) -> str:
    """A school's figure as the overview should show it: the finding's share or count, its mark."""
    if m.would_be is Status.NOT_APPLICABLE:
        return ""
    kind = report.ruleset.rule(rule_id).check.kind
    shown = "未填写" if m.value is None else f"{m.value * 100:.1f}%" if kind == "rate" else f"{m.value:,}"
    return f"{shown} {MARKS[m.status]}"


def test_every_school_rate_and_count_has_an_overview_column(report):
    """KY-S-EXCELLENCE-RATE at 38.9 % passes and still shows; a failing figure is marked ✘."""
    found = Reader(page(report))
    measured = measured_rules(report)
    for r in school_rows(report):
        cells = found.rows[r.id]
        for rule in measured:
            m = r.measures.get(rule.id)
            assert cells[f"rule-{rule.id}"] == ("" if m is None else measure_text(report, rule.id, m))
    records = Records()
    for name in ("school_ok.yaml", "school_bad.yaml"):
        records.extend(read_records(ROOT / "examples" / "kaiyuan_2024" / name))
    ky = evaluate("kaiyuan_2024", records, as_of="2024-07-15")
    rows = Reader(page(ky)).rows
    assert rows["KY-SYXX"]["rule-KY-S-EXCELLENCE-RATE"] == "38.9% ✔"  # passing, and shown
    assert rows["KY-ZHZX"]["rule-KY-S-EXCELLENCE-RATE"] == "63.6% ✘"
    assert rows["KY-ZHZX"]["rule-KY-S-BRIEFS"] == "1 ✘"
    assert rows["KY-ZHZX"]["rule-KY-S-ENROLLED-HEADCOUNT"] == ""  # not applicable: blank
    assert rows["total"]["rule-KY-S-EXCELLENCE-RATE"] == "48.3%"  # 14 of 29 graded points, pooled
    assert rows["total"]["rule-KY-S-BRIEFS"] == ""  # a count summed over schools says nothing


def expected_rows(report) -> dict[str, dict[str, str]]:
    """Each school's overview row as the workbook's 汇总 counts it, and the total from the summary."""
    rows = {}
    for r in school_rows(report):
        rows[r.id or ""] = {"teachers": str(r.teachers), "passed": str(r.passed), "pending": str(r.pending),
                            "failed": str(r.failed), "missing": str(r.missing), "pass_rate": pct(r.passed, r.teachers),
                            "excellent_rate": pct(r.excellent, r.teachers)}
    ts = report.summary()["teachers"]
    rows["total"] = {"teachers": f"{ts['checked']:,}", "passed": f"{ts['passed']:,}", "pass_rate": f"{ts['pass_rate'] * 100:.1f}%"}
    return rows


def not_met_rules(report) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in report.findings:
        if f.subject.level == "teacher" and f.status in (Status.FAIL, Status.MISSING_DATA) and f.severity != "info":
            counts[f.rule_id] = counts.get(f.rule_id, 0) + 1
    return counts


# ------------------------------------------------------------------------------------ the page, parsed


def test_overview_rows_are_the_summary_and_the_workbooks_counts(report):
    r = Reader(page(report))
    want = expected_rows(report)
    assert set(r.rows) == set(want)
    for key, cols in want.items():
        assert {c: r.rows[key][c].strip() for c in cols} == cols, key
    total = r.rows["total"]
    ts = report.summary()["teachers"]
    # failed in the summary is the overview's failed and data missing together
    assert int(total["failed"]) + int(total["missing"]) == ts["failed"] and int(total["pending"]) == ts["pending"]
    schools_ok = sum(ok for lv, _, ok in report.subjects if lv == "school")
    assert total["school_ok"].strip() == f"{schools_ok}/{SCHOOLS} 符合"  # schools meeting their own rules
    assert r.ids["overview-teachers"].strip() == str(TEACHERS)


def test_charts_have_a_bar_per_school_and_per_requirement_with_the_numbers_as_text(report):
    html = page(report)
    r = Reader(html)
    schools = re.search(r'<svg class="chart hbars" id="chart-schools".*?</svg>', html).group(0)
    assert schools.count('<rect class="bar') == SCHOOLS
    keys = re.findall(r'<g class="row" data-key="([^"]+)">', schools)
    rates = {row.id: row.passed / row.teachers for row in school_rows(report)}
    assert keys == sorted(rates, key=lambda k: (rates[k], k))  # lowest first
    for row in school_rows(report):  # each bar says its number, not only its length
        assert f"{pct(row.passed, row.teachers)}({row.passed}/{row.teachers})" in schools
    rules = re.search(r'id="chart-rules".*?</svg>', html).group(0)
    counts = not_met_rules(report)
    assert rules.count('<rect class="bar') == len(counts)
    assert re.findall(r'data-key="([^"]+)"', rules) == sorted(counts, key=lambda k: (-counts[k], k))
    for rid, n in counts.items():
        assert f"{pct(n, TEACHERS)}({n} 人)" in rules, rid
    assert r.count("svg", role="img") >= 4  # schools, rules, hours, bands
    for tag, a in r.tags:
        if tag == "svg":
            assert a["aria-labelledby"] == f"{a['id']}-t {a['id']}-d"
            assert a["id"] + "-t" in r.ids and r.ids[a["id"] + "-d"].strip()  # a title and the numbers in words


def test_hours_and_bands_charts_count_every_teacher(report):
    html = page(report)
    hours = re.search(r'id="chart-hours".*?</svg>', html).group(0)
    numbers = [int(n.replace(",", "")) for n in re.findall(r'<text class="n"[^>]*>([\d,]+)</text>', hours)]
    assert sum(numbers) == TEACHERS and len(numbers) in (6, 7)
    band = re.search(r'id="chart-band-band".*?</svg>', html).group(0)
    numbers = [int(n.replace(",", "")) for n in re.findall(r'<text class="n"[^>]*>([\d,]+)</text>', band)]
    assert sum(numbers) == TEACHERS  # the teachers without a band are a bar of their own
    graded = [v for v in report.values if v.id == "band" and v.value == "excellent"]
    assert f">{len(graded)}</text>" in band


@pytest.mark.parametrize(("hours", "bin_"), [
    (75, "≥ 75"), (74.5, "60–<75"), (60, "60–<75"), (59.5, "45–<60"), (15, "15–<30"), (14.5, "< 15"),
    (0, "< 15"), (None, "未填写"),
])
def test_hours_bins_hold_their_lower_bound_and_the_required_total(hours, bin_):
    teacher = {"id": "T1", "name": "甲"}
    if hours is not None:
        teacher["hours"] = {"online": hours, "offline": 0}
    html = page(evaluate("zeku_2023", {"teachers": [teacher, {"id": "T2", "hours": {"online": 50, "offline": 25}}]}, as_of=AS_OF))
    chart = re.search(r'id="chart-hours".*?</svg>', html).group(0)
    bins = {html_lib.unescape(k): v for k, v in re.findall(r"<title>([^<:]+):(\d+) 人</title>", chart)}
    assert bins[bin_] == ("2" if bin_ == "≥ 75" else "1")
    assert sum(map(int, bins.values())) == 2


def test_small_report_lists_every_teacher_in_collapsed_school_details(report):
    r = Reader(page(report))
    details = [a for t, a in r.tags if t == "details" and "school" in (a.get("class") or "")]
    assert [a["data-school"] for a in details] == [row.id for row in school_rows(report)]
    assert not any("open" in a for a in details)  # six schools: each folded, the overview first
    assert r.count("tr", **{"data_teacher": "T0000001"}) == 1
    assert sum(1 for t, a in r.tags if t == "tr" and "data-teacher" in a) == TEACHERS
    assert "large-note" not in r.ids


def test_large_report_lists_only_the_teachers_to_act_on_and_says_where_the_rest_is(report):
    html = page(report, full_up_to=100)
    r = Reader(html)
    listed = [a["data-teacher"] for t, a in r.tags if t == "tr" and "data-teacher" in a]
    ts = report.summary()["teachers"]
    assert len(listed) == ts["checked"] - ts["passed"]
    passed = {key.split("/")[-1] for lv, key, ok in report.subjects if lv == "teacher" and ok}
    assert not passed & set(listed)
    assert "--split-by school" in r.ids["large-note"]
    # under each rule: the first teachers, and how many more (every school is still listed)
    counts = not_met_rules(report)
    for m in re.finditer(r'<article class="rule" id="rule-([^"]+)">(.*?)</article>', html, re.S):
        rid, body = m.groups()
        rows = body.count('<tr data-status="')
        more = re.search(r"另有 ([\d,]+) 位教师", body)
        if rid in counts and counts[rid] > MAX_LISTED:
            assert rows == MAX_LISTED and int(more.group(1).replace(",", "")) == counts[rid] - MAX_LISTED
        elif rid in counts:
            assert rows == counts[rid] and more is None
    assert len(html) < len(page(report))


def test_large_report_numbers_each_teachers_open_rules_by_the_schools_legend(report):
    html = page(report, full_up_to=100)
    first = school_rows(report)[0].id
    block = re.search(rf'<details class="school" id="school-{first}".*?</details>', html, re.S).group(0)
    legend = re.findall(r"<li><code>([^<]+)</code>", block)
    statuses = {}
    for f in report.findings:
        if f.subject.level == "teacher" and f.subject.school == first:
            statuses.setdefault(f.subject.id, {})[f.rule_id] = f.status
    rows = re.findall(r'<tr data-teacher="([^"]+)"><td>[^<]*</td><td class="[^"]+">[^<]*</td>'
                      r'<td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>', block)
    assert len(rows) == school_rows(report)[0].teachers - school_rows(report)[0].passed
    for tid, *cells in rows:
        for status, cell in zip((Status.FAIL, Status.MISSING_DATA, Status.PENDING), cells, strict=True):
            named = {legend[int(n) - 1] for n in cell.split("、") if n}
            assert named == {rid for rid, st in statuses[tid].items() if st is status}, (tid, status)


def test_regions_group_the_overview_with_subtotals(report):
    ids = [row.id for row in school_rows(report)]
    regions = {sid: ("甲县" if i % 2 else "乙<县>") for i, sid in enumerate(ids)}
    html = page(report, regions=regions)
    r = Reader(html)
    total = overview(report, regions)
    for name in ("甲县", "乙<县>"):
        row = r.rows[f"region:{name}"]
        members = [s for s in school_rows(report) if regions[s.id] == name]
        assert row["teachers"].strip() == str(sum(s.teachers for s in members))
        assert row["passed"].strip() == str(sum(s.passed for s in members))
    assert r.rows["total"]["teachers"].strip() == str(TEACHERS) == str(total.teachers)
    assert "乙&lt;县&gt;" in html and "乙<县>" not in html
    assert html.count('<rect class="bar', html.index('id="chart-regions"'), html.index("</svg>", html.index('id="chart-regions"'))) == 2


def test_many_schools_are_a_distribution_and_the_lowest_forty(tmp_path):
    from ict2rules.render.html import CHART_SCHOOLS

    write_files(tmp_path, 3 * (CHART_SCHOOLS + 5), CHART_SCHOOLS + 5)
    records = Records()
    for name in ("schools.yaml", "roster.jsonl"):
        records.extend(read_records(tmp_path / name))
    records.teachers = attach_teachers(records.teachers, records.schools)
    big = evaluate("zeku_2023", records, as_of=AS_OF)
    html = page(big)
    spread = re.search(r'id="chart-school-spread".*?</svg>', html).group(0)
    counts = [int(n) for n in re.findall(r'<text class="n"[^>]*>(\d+)</text>', spread)]
    with_teachers = [r for r in school_rows(big) if r.teachers]
    assert len(counts) == 11 and sum(counts) == len(with_teachers)
    assert counts[10] == sum(r.passed == r.teachers for r in with_teachers)  # exactly 100 %
    lowest = re.search(r'id="chart-schools".*?</svg>', html).group(0)
    assert lowest.count('<rect class="bar') == CHART_SCHOOLS


def test_the_cli_groups_schools_by_the_rosters_county_column(tmp_path, capsys):
    from ict2rules.cli import main

    write_files(tmp_path, 60, 3, fmt="csv")
    roster = tmp_path / "roster.csv"
    lines = roster.read_text("utf-8").splitlines()
    county = {"S00001": "甲县", "S00002": "甲县", "S00003": "乙县"}
    rows = [lines[0] + ",所属区县"] + [f"{line},{county[line.split(',')[2]]}" for line in lines[1:]]
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "报告.html"
    main(["check", str(tmp_path / "schools.yaml"), str(roster), "-r", "zeku_2023", "--as-of", AS_OF, "-f", "html", "-o", str(out)])
    r = Reader(out.read_text("utf-8"))
    assert {k for k in r.rows if k.startswith("region:")} == {"region:甲县", "region:乙县"}
    by_school = {k: int(v["teachers"]) for k, v in r.rows.items() if k.startswith("S")}
    assert int(r.rows["region:甲县"]["teachers"]) == by_school["S00001"] + by_school["S00002"]
    assert int(r.rows["total"]["teachers"]) == 60


def test_names_in_charts_and_tables_are_text_never_markup():
    school = {"id": "S<1>", "name": '<script>alert("x")</script>[bold]', "teachers": [
        {"id": "T1", "name": "<b>王</b>", "hours": {"online": 10, "offline": 0}}]}
    other = {"id": "S2", "name": "二校", "teachers": [{"id": "T2", "hours": {"online": 50, "offline": 25}}]}
    html = page(evaluate("zeku_2023", {"schools": [school, other]}, as_of=AS_OF))
    r = Reader(html)
    assert not {t for t, _ in r.tags} & {"script", "b", "img", "iframe", "object"}
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;[bold]" in html
    assert "&lt;b&gt;王&lt;/b&gt;" in html and 'href="#school-S&lt;1&gt;"' in html


# ------------------------------------------------------------------------------------ svg


def test_bars_are_clamped_to_their_track():
    svg = hbars("c", "t", [Bar("a", 1.7, "170%"), Bar("b", -0.2, "-20%"), Bar("c", 0.5, "50%")])
    widths = [float(w) for w in re.findall(r'<rect class="bar[^"]*" x="\d+" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths == [BAR_PX, 0.0, BAR_PX / 2]
    assert columns("h", "t", []).startswith("<svg")  # no bars: an empty chart, not an error


def test_labels_are_cut_to_fit_and_whole_in_the_tooltip():
    assert fit("短", 100) == "短"
    long = "第一二三四五六七八九十学校"
    cut = fit(long, 60)
    assert cut.endswith("…") and text_px(cut) <= 60 < text_px(long)
    svg = hbars("c", "t", [Bar(long, 0.5, "50%")], label_px=60)
    assert f"<title>{long}:50%</title>" in svg and f">{fit(long, 50)}</text>" in svg  # 10 px to the bar


# ------------------------------------------------------------------------------------ a real browser

CHROMIUM = next((shutil.which(p) for p in ("chromium", "chromium-browser", "google-chrome") if shutil.which(p)), None)
DRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,1600", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.mark.skipif(CHROMIUM is None or DRIVER is None, reason="no chromium and chromedriver (apt-get install -y chromium chromium-driver)")
def test_the_report_in_headless_chromium(report, tmp_path, browser):
    from selenium.webdriver.common.by import By

    file = tmp_path / "报告.html"
    file.write_text(page(report), encoding="utf-8")
    browser.get(file.as_uri())
    s = report.summary()
    ts = s["teachers"]
    read = {k: browser.find_element(By.ID, k).text for k in ("teachers-checked", "teachers-passed", "teachers-failed", "pass-rate", "errors")}
    assert read == {"teachers-checked": str(ts["checked"]), "teachers-passed": str(ts["passed"]),
                    "teachers-failed": str(ts["failed"]), "pass-rate": f"{ts['pass_rate'] * 100:.1f}%", "errors": str(s["errors"])}
    # the overview as the browser shows it: the total row and every school's row
    want = expected_rows(report)
    for key, cols in want.items():
        selector = "#overview-total" if key == "total" else f'tr[data-school="{key}"]'
        row = browser.find_element(By.CSS_SELECTOR, selector)
        got = {c: row.find_element(By.CSS_SELECTOR, f'td[data-col="{c}"]').text for c in cols}
        assert got == cols, key
    measured = [f"rule-{r.id}" for r in measured_rules(report)]
    assert measured  # zeku's school rates and counts (pass rate, briefs …)
    assert [c.get_attribute("data-col") for c in browser.find_elements(By.CSS_SELECTOR, "#overview-total td")] == [*OVERVIEW_COLS, *measured]
    # each school's figure for each rate or count rule, as the browser shows it
    for r in school_rows(report):
        row = browser.find_element(By.CSS_SELECTOR, f'tr[data-school="{r.id}"]')
        for rid, m in r.measures.items():
            cell = row.find_element(By.CSS_SELECTOR, f'td[data-col="rule-{rid}"]')
            assert cell.text == measure_text(report, rid, m), (r.id, rid)
    # the charts are drawn: a bar per school, one per requirement not met, each with a size
    bars = browser.find_elements(By.CSS_SELECTOR, "svg#chart-schools rect.bar")
    assert len(bars) == SCHOOLS and all(b.size["width"] > 0 for b in bars)
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg#chart-rules rect.bar")) == len(not_met_rules(report))
    assert browser.find_elements(By.CSS_SELECTOR, "svg#chart-hours rect.bar")
    # a school's teachers are folded away until its summary is clicked
    first = school_rows(report)[0]
    details = browser.find_element(By.ID, f"school-{first.id}")
    table = details.find_element(By.CSS_SELECTOR, "table.teachers")
    assert details.get_attribute("open") is None and not table.is_displayed()
    details.find_element(By.TAG_NAME, "summary").click()
    assert details.get_attribute("open") is not None and table.is_displayed()
    assert len(table.find_elements(By.CSS_SELECTOR, "tr[data-teacher]")) == first.teachers
    # the overview's link opens on the school's details
    browser.find_element(By.CSS_SELECTOR, f'tr[data-school="{school_rows(report)[1].id}"] a').click()
    assert browser.execute_script("return location.hash") == f"#school-{school_rows(report)[1].id}"
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []  # nothing failed to load: the page fetches nothing


@pytest.mark.skipif(CHROMIUM is None or DRIVER is None, reason="no chromium and chromedriver (apt-get install -y chromium chromium-driver)")
def test_the_html_benchmark_still_runs():
    import subprocess

    pytest.importorskip("selenium", reason="selenium is not installed")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_html.py"), "--teachers", "150", "--schools", "3",
                           "--repeat", "1"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith(("| report |", "| plain table |"))]
    assert len(rows) == 2  # no timing asserted: the figures are in docs/performance.md
