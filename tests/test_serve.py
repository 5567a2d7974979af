"""``ict2rules serve``: the page and the JSON API say what the CLI says, refuse what they must,
and keep nothing; one test drives the page in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
import time
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed (pip install '.[web]')")
pytest.importorskip("multipart", reason="python-multipart is not installed")
pytest.importorskip("httpx", reason="httpx is needed by Starlette's TestClient")

with warnings.catch_warnings():  # newest Starlette prefers httpx2 for its TestClient; httpx works
    warnings.filterwarnings("ignore", message=".*httpx2")
    from starlette.testclient import TestClient

from ict2rules.cli import main
from ict2rules.render import formats
from ict2rules.web.app import COOKIE, CSP, create_app
from ict2rules.web.checking import Limits, safe_name

ROOT = Path(__file__).resolve().parents[1]
ZEKU = ROOT / "examples" / "zeku_2023"
HOSTILE = ROOT / "tests" / "hostile" / "records"
AS_OF = "2024-01-05"  # after the year-end deadline: every obligation is due

pytestmark = pytest.mark.filterwarnings("ignore:.*httpx2")  # newest Starlette's note on httpx


def client(**kw) -> TestClient:
    c = TestClient(create_app(**kw))
    c.get("/")  # the page sets the CSRF cookie
    return c


def token(c: TestClient) -> str:
    return c.cookies[COOKIE]


def upload(*paths: Path) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (p.name, p.read_bytes())) for p in paths]


def cli_json(tmp_path: Path, monkeypatch, folder: Path, *names: str, ruleset: str = "zeku_2023") -> dict:
    monkeypatch.chdir(folder)  # the CLI names the files as given: here, bare names like the upload
    out = tmp_path / "cli.json"
    main(["check", *names, "-r", ruleset, "--as-of", AS_OF, "-f", "json", "-o", str(out)])
    return json.loads(out.read_text("utf-8"))


def cli_errors(capsys, monkeypatch, folder: Path, *names: str) -> list[str]:
    monkeypatch.chdir(folder)
    capsys.readouterr()
    assert main(["check", *names, "-r", "zeku_2023", "--as-of", AS_OF, "-f", "json"]) == 2
    return [line.removeprefix("ict2rules: ") for line in capsys.readouterr().err.splitlines()]


class Page(HTMLParser):
    """The ids, data-teacher rows, problems and inline scripts/styles of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.teachers: list[str] = []
        self.problems: list[str] = []
        self.inline: list[str] = []
        self._id: str | None = None
        self._code = False
        self._script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a or any(k.startswith("on") for k in a):
            self.inline.append(f"{tag} {a}")
        if tag == "script":
            self._script = True
            if "src" not in a:
                self.inline.append("script without src")
        if tag == "style":
            self.inline.append("style element")
        if "id" in a:
            self._id = a["id"]
            self.ids.setdefault(self._id, "")
        if tag == "details" and "data-teacher" in a:
            self.teachers.append(a["data-teacher"])
        self._code = tag == "code" and self._in_problems
        if tag == "ul" and a.get("class") == "problems":
            self._in_problems = True

    _in_problems = False

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_problems = False
        if tag == "script":
            self._script = False
        self._code = False
        self._id = None

    def handle_data(self, data):
        if self._script and data.strip():
            self.inline.append("script text")
        if self._id:
            self.ids[self._id] += data
        if self._code:
            self.problems.append(data)


# ------------------------------------------------------------------------------------ the API


def test_api_returns_the_json_of_the_cli_for_the_same_file(tmp_path, monkeypatch):
    c = TestClient(create_app())
    r = c.post("/api/check", data={"ruleset": "zeku_2023", "as_of": AS_OF}, files=upload(ZEKU / "school_bad.yaml"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == cli_json(tmp_path, monkeypatch, ZEKU, "school_bad.yaml")
    assert r.json()["passed"] is False


def test_api_input_errors_are_422_with_the_cli_lines(capsys, monkeypatch):
    bad = HOSTILE / "hours_chinese_numeral.yaml"
    r = TestClient(create_app()).post("/api/check", data={"ruleset": "zeku_2023", "as_of": AS_OF}, files=upload(bad))
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert [p["text"] for p in problems] == cli_errors(capsys, monkeypatch, HOSTILE, bad.name)
    assert problems[0]["file"] == bad.name and problems[0]["line"] == 5 and problems[0]["column"] == 13


def test_api_takes_a_ruleset_file_in_the_ruleset_field(tmp_path, monkeypatch):
    own = ROOT / "src" / "ict2rules" / "rulesets" / "zeku_2023.yaml"
    files = [*upload(ZEKU / "school_bad.yaml"), ("ruleset", ("my_rules.yaml", own.read_bytes()))]
    r = TestClient(create_app()).post("/api/check", data={"as_of": AS_OF}, files=files)
    assert r.status_code == 200
    assert r.json()["summary"] == cli_json(tmp_path, monkeypatch, ZEKU, "school_bad.yaml")["summary"]


def test_a_bad_uploaded_ruleset_is_located_under_its_own_name():
    files = [*upload(ZEKU / "school_bad.yaml"), ("ruleset_file", ("mine.yaml", b"id: x\ntitle: [unclosed\n"))]
    r = TestClient(create_app()).post("/api/check", data={"as_of": AS_OF}, files=files)
    assert r.status_code == 422
    (first, *_) = r.json()["problems"]
    assert first["file"] == "mine.yaml" and first["line"] is not None
    assert "/tmp" not in r.text and "ict2rules-" not in r.text  # never the server's folder


def test_no_ruleset_no_files_unknown_ruleset_bad_date_are_each_a_problem():
    c = TestClient(create_app())
    r = c.post("/api/check", data={"as_of": AS_OF}, files=upload(ZEKU / "school_bad.yaml"))
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "ruleset"
    r = c.post("/api/check", data={"ruleset": "zeku_2023"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "files"
    r = c.post("/api/check", data={"ruleset": "../../etc/passwd.yaml"}, files=upload(ZEKU / "school_bad.yaml"))
    assert r.status_code == 422 and "/etc" not in r.json()["problems"][0]["text"]
    r = c.post("/api/check", data={"ruleset": "zeku_2023", "as_of": "2023-13-01"}, files=upload(ZEKU / "school_bad.yaml"))
    assert r.status_code == 422 and "2023-13-01" in r.json()["problems"][0]["text"]


def test_a_file_of_an_unknown_kind_is_named():
    files = [("files", ("plan.docx", b"PK\x03\x04"))]
    r = TestClient(create_app()).post("/api/check", data={"ruleset": "zeku_2023"}, files=files)
    assert r.status_code == 422
    assert r.json()["problems"][0]["file"] == "plan.docx"


@pytest.mark.parametrize("name", ["../../etc/passwd.yaml", "C:\\Users\\张三\\school_bad.yaml", "..yaml"])
def test_upload_names_are_sanitised_and_kept_readable(name):
    files = [("files", (name, (ZEKU / "school_bad.yaml").read_bytes()))]
    r = TestClient(create_app()).post("/api/check", data={"ruleset": "zeku_2023", "as_of": AS_OF}, files=files)
    assert r.status_code == 200
    (given,) = r.json()["inputs"]
    assert given == safe_name(name) and "/" not in given and "\\" not in given and not given.startswith(".")


def test_two_files_of_the_same_name_are_both_read():
    data = (ZEKU / "school_bad.yaml").read_bytes()
    other = data.replace(b"id: ZK-HJZX", b"id: ZK-OTHER").replace(b"id: ZK10", b"id: ZX10")
    files = [("files", ("school.yaml", data)), ("files", ("school.yaml", other))]
    r = TestClient(create_app()).post("/api/check", data={"ruleset": "zeku_2023", "as_of": AS_OF}, files=files)
    assert r.status_code == 200
    assert r.json()["inputs"] == ["school.yaml", "school-2.yaml"]
    assert r.json()["summary"]["subjects"]["school"] == 2


def _plan_and_roster(folder: Path, roster_line: str) -> tuple[Path, Path]:
    text = (ZEKU / "school_bad.yaml").read_text("utf-8")
    plan = folder / "plan.yaml"
    plan.write_text(text[: text.index("  teachers:")] + roster_line, encoding="utf-8")
    roster = folder / "名册.csv"
    roster.write_text("工号,姓名,学校,线上学时,线下学时\nT1,张三,ZK-HJZX,50,25\nT2,李四,ZK-HJZX,40,20\n", encoding="utf-8")
    return plan, roster


def test_a_plan_and_a_roster_give_the_cli_json(tmp_path, monkeypatch):
    plan, roster = _plan_and_roster(tmp_path, "")  # the roster joins by its 学校 column
    r = TestClient(create_app()).post("/api/check", data={"ruleset": "zeku_2023", "as_of": AS_OF}, files=upload(plan, roster))
    assert r.status_code == 200
    assert r.json() == cli_json(tmp_path, monkeypatch, tmp_path, plan.name, roster.name)
    assert r.json()["summary"]["teachers"]["checked"] == 2


def test_a_roster_the_plan_names_is_read_once_through_the_plan(tmp_path, monkeypatch):
    plan, roster = _plan_and_roster(tmp_path, "  roster: 名册.csv\n")
    c = TestClient(create_app())
    for order in ((plan, roster), (roster, plan)):
        r = c.post("/api/check", data={"ruleset": "zeku_2023", "as_of": AS_OF}, files=upload(*order))
        assert r.status_code == 200, r.text
        assert r.json() == cli_json(tmp_path, monkeypatch, tmp_path, plan.name)  # `check plan.yaml`


# ------------------------------------------------------------------------------------ limits


def test_too_many_files_is_refused():
    c = TestClient(create_app(limits=Limits(max_files=2)))
    files = [("files", (f"t{i}.yaml", f"teacher: {{id: T{i}}}".encode())) for i in range(3)]
    r = c.post("/api/check", data={"ruleset": "zeku_2023"}, files=files)
    assert r.status_code == 413 and r.json()["problems"][0]["code"] == "refused"
    many = [("files", (f"t{i}.yaml", b"teacher: {id: T1}")) for i in range(10)]  # the parser stops these
    r = c.post("/api/check", data={"ruleset": "zeku_2023"}, files=many)
    assert r.status_code == 400 and r.json()["problems"][0]["code"] == "refused"
    files = files[:2]
    assert c.post("/api/check", data={"ruleset": "zeku_2023"}, files=files).status_code == 200


def test_too_large_an_upload_is_refused_on_the_page_and_in_the_api():
    c = client(limits=Limits(max_bytes=4096))
    big = [("files", ("big.yaml", b"# " + b"x" * 8000 + b"\nteacher: {id: T1}\n"))]
    r = c.post("/api/check", data={"ruleset": "zeku_2023"}, files=big)
    assert r.status_code == 413
    r = c.post("/check", data={"csrf": token(c), "ruleset": "zeku_2023"}, files=big)
    assert r.status_code == 413
    assert "4 MB" not in r.text and 'id="result"' not in r.text
    assert 'role="alert"' in r.text


def test_a_body_without_content_length_is_counted_as_it_arrives():
    import asyncio

    app = create_app(limits=Limits(max_bytes=1000))
    boundary = "b0undary"
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"t.yaml\"\r\n\r\n"
            + "#" * 3000 + f"\r\n--{boundary}--\r\n").encode()
    chunks = [part[i:i + 500] for i in range(0, len(part), 500)]
    sent: list[dict] = []

    async def receive():
        body = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": body, "more_body": bool(chunks)}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/check", "raw_path": b"/api/check", "root_path": "",
             "scheme": "http", "query_string": b"", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 1),
             "http_version": "1.1", "asgi": {"version": "3.0"},
             "headers": [(b"content-type", f"multipart/form-data; boundary={boundary}".encode())]}
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert chunks  # it stopped reading: the rest was never taken


# ------------------------------------------------------------------------------------ the page


def test_the_page_shows_the_result_the_failing_teachers_and_the_clauses():
    c = client()
    r = c.post("/check", data={"csrf": token(c), "ruleset": "zeku_2023", "as_of": AS_OF, "lang": "zh"},
               files=upload(ZEKU / "school_bad.yaml"))
    assert r.status_code == 200
    page = Page(r.text)
    api = TestClient(create_app()).post("/api/check", data={"ruleset": "zeku_2023", "as_of": AS_OF},
                                        files=upload(ZEKU / "school_bad.yaml")).json()
    teachers = api["summary"]["teachers"]
    assert {k: page.ids[f"teachers-{k}"].strip() for k in ("checked", "passed", "failed")} == {
        k: str(teachers[k]) for k in ("checked", "passed", "failed")}
    assert page.ids["errors"] == str(api["summary"]["errors"])
    failing = {f["subject"]["id"] for f in api["findings"] if f["subject"]["level"] == "teacher" and f["status"] in ("fail", "missing_data")}
    assert set(page.teachers) == failing == {"ZK102", "ZK103"}
    quotes = {f["source"]["quote"] for f in api["findings"] if f["status"] in ("fail", "missing_data")}
    assert all(q.replace("\n", " ") in r.text.replace("\n", " ") for q in quotes)
    assert 'id="schools"' in r.text and "<svg" in r.text  # the per-school overview and its chart
    assert page.ids["inputs"] == "school_bad.yaml"  # the files checked, as uploaded


def test_the_page_switches_to_english_and_the_result_follows():
    c = client()
    assert 'lang="en"' in c.get("/?lang=en").text
    r = c.post("/check", data={"csrf": token(c), "ruleset": "zeku_2023", "as_of": AS_OF, "lang": "en"},
               files=upload(ZEKU / "school_bad.yaml"))
    assert r.status_code == 200 and "What to fix" in r.text and 'lang="en"' in r.text


def test_every_ruleset_is_offered_with_its_title_and_level():
    from ict2rules import bundled_names, load_ruleset

    text = client().get("/").text
    for name in bundled_names():
        rs = load_ruleset(name)
        assert f'value="{name}"' in text and rs.document.title in text
    assert "县级" in text and "省级" in text


def test_a_form_without_the_token_or_with_another_is_refused():
    c = client()
    data = {"ruleset": "zeku_2023", "as_of": AS_OF}
    files = upload(ZEKU / "school_bad.yaml")
    assert c.post("/check", data=data, files=files).status_code == 403
    assert c.post("/check", data={**data, "csrf": "x" * 43}, files=files).status_code == 403
    stranger = TestClient(create_app())  # another site's form: no cookie of ours
    r = stranger.post("/check", data={**data, "csrf": token(c)}, files=files)
    assert r.status_code == 403 and 'id="result"' not in r.text
    assert "samesite=strict" in c.get("/").headers.get("set-cookie", "samesite=strict").lower()


HOSTILE_FILES = sorted(p.name for p in HOSTILE.iterdir() if p.suffix in (".yaml", ".json", ".csv"))


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_a_hostile_file_shows_the_cli_message_never_a_traceback(name, capsys, monkeypatch):
    c = client()
    r = c.post("/check", data={"csrf": token(c), "ruleset": "zeku_2023", "as_of": AS_OF},
               files=upload(HOSTILE / name))
    expected = cli_errors(capsys, monkeypatch, HOSTILE, name)
    assert r.status_code == 422, r.text[:300]
    assert [p for p in Page(r.text).problems] == expected
    assert "Traceback" not in r.text and "/tmp/" not in r.text
    assert expected[0].startswith(name)


def test_no_inline_script_or_style_and_the_security_headers():
    c = client()
    r = c.post("/check", data={"csrf": token(c), "ruleset": "zeku_2023", "as_of": AS_OF},
               files=upload(ZEKU / "school_bad.yaml"))
    for response in (c.get("/"), r):
        assert Page(response.text).inline == []
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
    assert "unsafe-inline" not in CSP and "http" not in CSP  # nothing from elsewhere
    assert not re.search(r"""(src|href)=["']https?://""", r.text)  # no CDN
    assert c.get("/static/app.js").status_code == 200 and c.get("/static/style.css").status_code == 200


def test_nothing_personal_is_logged(caplog):
    c = client()
    with caplog.at_level("DEBUG"):
        c.post("/check", data={"csrf": token(c), "ruleset": "zeku_2023", "as_of": AS_OF},
               files=upload(ZEKU / "school_bad.yaml"))
        c.post("/check", data={"csrf": token(c), "ruleset": "zeku_2023"}, files=upload(HOSTILE / "hours_chinese_numeral.yaml"))
    for word in ("马晓琴", "索南卓玛", "ZK102", "school_bad", "hours_chinese_numeral"):
        assert word not in caplog.text


# ------------------------------------------------------------------------------------ downloads


def _result(c: TestClient) -> str:
    r = c.post("/check", data={"csrf": token(c), "ruleset": "zeku_2023", "as_of": AS_OF},
               files=upload(ZEKU / "school_bad.yaml"))
    return r.text


def _link(text: str, fmt: str) -> str:
    found = re.search(rf'id="download-{fmt}" href="([^"]+)"', text)
    assert found, f"no {fmt} download link"
    return found.group(1).replace("&amp;", "&")


def test_downloads_are_the_cli_files_and_only_for_the_browser_that_checked(tmp_path, monkeypatch):
    c = client()
    text = _result(c)
    r = c.get(_link(text, "json"))
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert r.json() == cli_json(tmp_path, monkeypatch, ZEKU, "school_bad.yaml")
    html = c.get(_link(text, "html"))
    assert html.status_code == 200 and 'id="teachers-failed">2<' in html.text
    assert TestClient(create_app()).get(_link(text, "json")).status_code == 404
    other = client()
    assert other.get(_link(text, "json")).status_code == 404  # another browser's cookie


def test_xlsx_download_when_the_writer_is_there():
    c = client()
    text = _result(c)
    if "xlsx" not in formats():
        assert 'id="download-xlsx" aria-disabled="true"' in text and 'id="download-note"' in text
        pytest.skip("no xlsx writer registered in this build (render/xlsx.py)")
    openpyxl = pytest.importorskip("openpyxl")
    import io

    r = c.get(_link(text, "xlsx"))
    assert r.status_code == 200 and r.headers["content-disposition"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    cells = " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert "ZK102" in cells and "ZK103" in cells


# ------------------------------------------------------------------------------------ the command


def test_serve_binds_localhost_by_default_and_says_the_address(monkeypatch, capsys):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    assert main(["serve"]) == 0
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8000)
    assert "http://127.0.0.1:8000/" in capsys.readouterr().out
    assert seen["access_log"] is False  # no client addresses in the log unless asked


def test_serve_with_a_bad_ruleset_stops_with_the_located_error(tmp_path, capsys):
    bad = tmp_path / "r.yaml"
    bad.write_text("id: x\ntitle: [\n", encoding="utf-8")
    assert main(["serve", "--ruleset", str(bad)]) == 2
    assert capsys.readouterr().err.startswith(f"ict2rules: {bad}:")


# ------------------------------------------------------------------------------------ a real browser

CHROMIUM = next((shutil.which(p) for p in ("chromium", "chromium-browser", "google-chrome") if shutil.which(p)), None)
DRIVER = shutil.which("chromedriver")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server():
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # until it listens (at most ~10 s)
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.mark.skipif(CHROMIUM is None or DRIVER is None, reason="no chromium and chromedriver (apt-get install -y chromium chromium-driver)")
def test_the_page_in_headless_chromium(live_server, tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1100,1600", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    browser = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        browser.get(live_server + "/")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
        from selenium.webdriver.support.select import Select

        Select(browser.find_element(By.ID, "ruleset")).select_by_value("zeku_2023")
        browser.execute_script("document.getElementById('as_of').value = arguments[0]", AS_OF)
        browser.find_element(By.ID, "files").send_keys(str(ZEKU / "school_bad.yaml"))
        # the script lists the files chosen: it ran, under the page's CSP
        WebDriverWait(browser, 10).until(lambda b: "school_bad.yaml" in b.find_element(By.ID, "chosen").text)
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.ID, "verdict"))
        failing = [e.get_attribute("data-teacher") for e in browser.find_elements(By.CSS_SELECTOR, "details.teacher")]
        assert sorted(failing) == ["ZK102", "ZK103"]
        assert browser.find_element(By.ID, "teachers-failed").text == "2"
        assert browser.find_elements(By.CSS_SELECTOR, "#schools svg.bar rect.failed")  # the chart drawn
        severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == []  # no CSP violation, nothing that failed to load
        browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        fmt = "xlsx" if "xlsx" in formats() else "json"  # the workbook once its writer is there
        browser.find_element(By.ID, f"download-{fmt}").click()
        WebDriverWait(browser, 20).until(lambda b: [p for p in downloads.iterdir() if p.suffix == f".{fmt}"])
        (got,) = [p for p in downloads.iterdir() if p.suffix == f".{fmt}"]
        if fmt == "json":
            assert json.loads(got.read_text("utf-8"))["summary"]["teachers"]["failed"] == 2
        else:
            import openpyxl

            book = openpyxl.load_workbook(got, read_only=True)
            cells = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row}
            assert all(any(tid in c for c in cells) for tid in ("ZK102", "ZK103"))  # the failing teachers
    finally:
        browser.quit()


# ------------------------------------------------------------------------------ blank templates


def test_the_page_offers_each_rulesets_blank_plan_and_roster(capsys):
    """Each ruleset on the page has its blank plan and roster, the very files ``ict2rules
    template`` writes; a name that is not offered is 404, never a path on the server."""
    c = client()
    page = c.get("/").text
    links = re.findall(r'href="(/template/[^"]+)"', page)
    assert "/template/zeku_2023/yaml" in links and "/template/zeku_2023/xlsx" in links
    r = c.get("/template/zeku_2023/yaml")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert main(["template", "-r", "zeku_2023"]) == 0
    assert r.content.decode("utf-8") == capsys.readouterr().out
    x = c.get("/template/kaiyuan_2024/xlsx")
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    import io

    import openpyxl

    assert openpyxl.load_workbook(io.BytesIO(x.content)).sheetnames == ["教师", "能力点", "说明"]
    for bad in ("/template/no_such/yaml", "/template/zeku_2023/exe", "/template/..%2f..%2fetc/yaml"):
        assert c.get(bad).status_code == 404
