"""The Starlette application behind ``ict2rules serve``: the page (``GET /``, ``POST /check``),
the JSON API (``POST /api/check``), the report downloads and the static files.

Nothing is logged about what was uploaded; uploads live in a private temporary folder for the
length of one request; a result is kept in memory only, for :data:`~.page.KEEP_MINUTES`
minutes, so that its downloads can be fetched — by the browser that ran the check (the
download is bound to its CSRF cookie).

>>> [route.path for route in create_app().routes][:3]
['/', '/check', '/api/check']
"""

from __future__ import annotations

import hmac
import io
import logging
import secrets
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InputError, Problem
from ..report.report import Report
from . import page as P
from .checking import Limits, Upload, check_uploads

log = logging.getLogger("ict2rules.web")
COOKIE = "ict2rules_csrf"
MEDIA = {"html": "text/html; charset=utf-8", "json": "application/json",
         "yaml": "application/yaml; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class TooLarge(Exception):
    """The request body is over the limit."""


class Refused(Exception):
    """A request refused before any checking: status and the words for it."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(en)
        self.status, self.zh, self.en = status, zh, en


def available_formats() -> list[str]:
    """The download formats the installed writers provide, looked up at request time (the
    xlsx writer is optional)."""
    from ..render import formats

    have = set(formats())
    return [fmt for fmt, _ in P.DOWNLOADS if fmt in have]


def render_bytes(fmt: str, report: Report, lang: str) -> bytes:
    """The report in ``fmt`` as the CLI writes it with ``-o``; binary formats as bytes."""
    from .. import render

    if fmt in getattr(render, "BINARY", ()):
        out = io.BytesIO()
        render.write(fmt, report, out, lang=lang, color=False)
        return out.getvalue()
    text = io.StringIO()
    render.write(fmt, report, text, lang=lang, color=False)
    return text.getvalue().encode("utf-8")


@dataclass
class Kept:
    owner: str  # the CSRF cookie of the browser that ran the check
    report: Report
    at: float


class Results:
    """Recent results, in memory only, each for ``minutes``, at most ``size`` of them."""

    def __init__(self, minutes: int = P.KEEP_MINUTES, size: int = 64) -> None:
        self.ttl, self.size = minutes * 60, size
        self.items: OrderedDict[str, Kept] = OrderedDict()

    def _expire(self) -> None:
        now = time.monotonic()
        while self.items and (len(self.items) > self.size or next(iter(self.items.values())).at + self.ttl < now):
            self.items.popitem(last=False)

    def put(self, owner: str, report: Report) -> str:
        token = secrets.token_urlsafe(24)
        self.items[token] = Kept(owner, report, time.monotonic())
        self._expire()
        return token

    def get(self, token: str, owner: str) -> Report | None:
        self._expire()
        kept = self.items.get(token)
        if kept is None or not owner or not hmac.compare_digest(kept.owner, owner):
            return None
        return kept.report


class Guard:
    """ASGI middleware: the security headers on every response, and the body size limit
    (counted as it arrives, whatever Content-Length said)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise TooLarge
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if "/static/" not in scope["path"]:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, limited, with_headers)


def create_app(
    *, default_ruleset: str | None = None, limits: Limits | None = None, extra_rulesets: dict[str, str] | None = None
) -> Starlette:
    """The application. ``default_ruleset`` is preselected (a bundled name, or the id of one of
    ``extra_rulesets``: id → ruleset file on the server); ``limits`` bound each upload."""
    limits = limits or Limits()
    known = dict(extra_rulesets or {})
    choices = [P.ruleset_choice(path) for path in known.values()] + P.ruleset_choices()
    results = Results()

    def root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    def csrf_of(request: Request) -> tuple[str, bool]:
        token = request.cookies.get(COOKIE, "")
        return (token, False) if len(token) >= 32 else (secrets.token_urlsafe(32), True)

    def html(request: Request, lang: str, *, result: str = "", status: int = 200,
             chosen: str | None = None, as_of: str = "") -> HTMLResponse:
        token, new = csrf_of(request)
        body = P.page(lang, csrf=token, rulesets=choices, chosen=chosen or default_ruleset,
                      as_of=as_of or P.today(), result=result, root=root(request))
        response = HTMLResponse(body, status_code=status)
        if new:
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https", path="/")
        return response

    async def form_of(request: Request) -> Any:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise TooLarge
        try:
            # a text field is at most 1 MB (the parser's own limit); files are counted here
            return await request.form(max_files=limits.max_files + 1, max_fields=50)
        except HTTPException:  # the multipart parser refused: malformed, or too many parts
            n = limits.max_files
            raise Refused(400, f"无法读取提交的内容(每次最多 {n} 个记录文件)",
                          f"the submitted form could not be read (at most {n} record files at a time)") from None

    async def uploads_of(form: Any) -> tuple[list[Upload], Upload | None, str | None, str]:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        if len(files) > limits.max_files:
            n = limits.max_files
            raise Refused(413, f"文件过多:每次最多 {n} 个记录文件", f"too many files: at most {n} record files at a time")
        ups = [Upload(f.filename or "upload", await f.read()) for f in files]
        ruleset_field = form.get("ruleset")
        ruleset_file = form.get("ruleset_file")
        if isinstance(ruleset_field, UploadFile):  # the API may send the ruleset as a file
            ruleset_file, ruleset_field = ruleset_field, None
        own = None
        if isinstance(ruleset_file, UploadFile) and ruleset_file.filename:
            own = Upload(ruleset_file.filename, await ruleset_file.read())
        as_of = form.get("as_of")
        return ups, own, (ruleset_field if isinstance(ruleset_field, str) else None) or default_ruleset, as_of if isinstance(as_of, str) else ""

    def run_check(ups: list[Upload], own: Upload | None, name: str | None, as_of: str) -> Report:
        with tempfile.TemporaryDirectory(prefix="ict2rules-") as folder:  # private (0700), gone after
            return check_uploads(Path(folder), ups, ruleset=name, ruleset_file=own, as_of=as_of, known=known)

    async def checked(request: Request, *, csrf: bool) -> Report:
        from starlette.concurrency import run_in_threadpool

        try:
            form = await form_of(request)
        except TooLarge:
            mb = limits.max_bytes // (1024 * 1024)
            raise Refused(413, f"上传内容过大:每次最多 {mb} MB", f"the upload is too large: at most {mb} MB at a time") from None
        request.state.form = form
        if csrf:  # the page's form: the double-submitted token (the API has no cookies to abuse)
            cookie = request.cookies.get(COOKIE, "")
            sent = form.get("csrf")
            if not cookie or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
                raise Refused(403, "页面已过期或来自别的网站,请刷新本页后重新提交",
                              "this page has expired or came from another site: reload it and submit again")
        try:
            ups, own, name, as_of = await uploads_of(form)
        finally:
            await form.close()  # the parser's spooled files, closed (and so deleted) at once
        request.state.chosen, request.state.as_of = name, as_of
        try:
            return await run_in_threadpool(run_check, ups, own, name, as_of)
        except InputError:
            raise
        except Exception as exc:  # a bug must not show a traceback, nor log what was uploaded
            log.error("check failed: %s", type(exc).__name__)
            raise Refused(500, "检查时出现内部错误,未进行检查", "an internal error stopped the check; nothing was checked") from None

    async def index(request: Request) -> Response:
        return html(request, P.lang_of(request.query_params.get("lang")))

    async def check_form(request: Request) -> Response:
        lang = "zh"
        try:
            report = await checked(request, csrf=True)
            lang = P.lang_of(request.state.form.get("lang"))
        except InputError as exc:
            lang = P.lang_of(request.state.form.get("lang"))
            return html(request, lang, result=P.errors_section(lang, exc.problems), status=422,
                        chosen=request.state.chosen, as_of=request.state.as_of)
        except Refused as exc:
            form = getattr(request.state, "form", None)
            lang = P.lang_of(form.get("lang") if form is not None else request.query_params.get("lang"))
            return html(request, lang, result=P.notice_section(exc.zh if lang == "zh" else exc.en), status=exc.status)
        owner, _ = csrf_of(request)
        token = results.put(owner, report)
        try:
            section = P.result_section(report, lang, token, available_formats(), root(request))
        except Exception as exc:  # as in `checked`: no traceback, nothing of the records logged
            log.error("page failed: %s", type(exc).__name__)
            text = "检查时出现内部错误" if lang == "zh" else "an internal error stopped the check"
            return html(request, lang, result=P.notice_section(text), status=500)
        return html(request, lang, result=section, chosen=request.state.chosen, as_of=report.as_of.isoformat())

    async def check_api(request: Request) -> Response:
        try:
            report = await checked(request, csrf=False)
        except InputError as exc:
            return JSONResponse({"problems": [p.to_dict() | {"text": str(p)} for p in exc.problems]}, status_code=422)
        except Refused as exc:
            problem = Problem(None, exc.zh, exc.en, code="refused")
            return JSONResponse({"problems": [problem.to_dict() | {"text": str(problem)}]}, status_code=exc.status)
        return Response(render_bytes("json", report, "zh"), media_type=MEDIA["json"])

    async def download(request: Request) -> Response:
        lang = P.lang_of(request.query_params.get("lang"))
        fmt = request.path_params["fmt"]
        report = results.get(request.path_params["token"], request.cookies.get(COOKIE, ""))
        if fmt not in available_formats():
            return PlainTextResponse("不支持的格式 / format not available", status_code=404)
        if report is None:
            text = P.TEXT[lang]["expired"].format(m=P.KEEP_MINUTES)
            return html(request, lang, result=P.notice_section(text), status=404)
        from .. import render

        ext = getattr(render, "EXTENSIONS", {}).get(fmt, fmt)
        name = f"ict2rules-{report.ruleset.id}-{report.as_of.isoformat()}.{ext}"
        try:
            body = render_bytes(fmt, report, lang)
        except Exception as exc:
            log.error("download failed: %s", type(exc).__name__)
            return PlainTextResponse("内部错误 / internal error", status_code=500)
        return Response(body, media_type=MEDIA.get(fmt, "application/octet-stream"),
                        headers={"content-disposition": P.content_disposition(name)})

    async def template(request: Request) -> Response:
        """The blank plan or roster of a ruleset offered on the page (``ict2rules template``)."""
        from ..authoring.template import FORMATS, default_name, plan_yaml, write_roster_template
        from ..rules.loader import bundled_names, load_ruleset

        name, fmt = request.path_params["ruleset"], request.path_params["fmt"]
        if fmt not in FORMATS or (name not in known and name not in bundled_names()):
            return PlainTextResponse("没有这个模板 / no such template", status_code=404)
        try:
            ruleset = load_ruleset(known.get(name, name))
            if fmt == "yaml":
                body = plan_yaml(ruleset).encode("utf-8")
            else:
                out = io.BytesIO()
                write_roster_template(ruleset, out)
                body = out.getvalue()
        except Exception as exc:  # as the downloads: no traceback
            log.error("template failed: %s", type(exc).__name__)
            return PlainTextResponse("内部错误 / internal error", status_code=500)
        return Response(body, media_type=MEDIA.get(fmt, "application/octet-stream"),
                        headers={"content-disposition": P.content_disposition(default_name(ruleset, fmt))})

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    static = StaticFiles(directory=str(Path(__file__).parent / "static"))
    app = Starlette(routes=[
        Route("/", index),
        Route("/check", check_form, methods=["POST"]),
        Route("/api/check", check_api, methods=["POST"]),
        Route("/download/{token}/{fmt}", download),
        Route("/template/{ruleset}/{fmt}", template),
        Route("/healthz", healthz),
        Mount("/static", app=static, name="static"),
    ])
    app.add_middleware(Guard, max_bytes=limits.max_bytes)
    return app


def from_environment() -> Starlette:
    """The app as ``ict2rules serve --workers N`` configured it (each worker process calls this)."""
    import os

    default, max_bytes, max_files, *extra = os.environ.get("ICT2RULES_SERVE", "\n20971520\n20").split("\n")
    rulesets = dict(item.split("=", 1) for item in extra if "=" in item)
    return create_app(default_ruleset=default or None, limits=Limits(int(max_bytes), int(max_files)), extra_rulesets=rulesets)
