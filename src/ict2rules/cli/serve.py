"""``ict2rules serve``: the web page and JSON API (the optional ``web`` extra)."""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import InputError
from ..rules.loader import bundled_names, load_ruleset
from .base import EXIT_INPUT, EXIT_OK, command


@command(
    "serve",
    "网页与 JSON 接口 / a web page and JSON API for checking files (pip install \"ict2rules[web]\")",
    epilog=(
        "例 / examples:\n"
        "  ict2rules serve                          # http://127.0.0.1:8000/\n"
        "  ict2rules serve --ruleset zeku_2023      # 默认选中泽库县文件 preselect a document\n"
        "  ict2rules serve --host 0.0.0.0 --port 8080 --root-path /ict2   # 反向代理之后 behind a proxy\n"
        "见 / see docs/serve.md"
    ),
)
def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="监听地址 address to bind (default: 127.0.0.1, this computer only)")
    p.add_argument("--port", type=int, default=8000, help="端口 port (default: 8000)")
    p.add_argument("--ruleset", "-r", help="默认选中的规则集(内置名称或文件) the document preselected: a bundled name or a ruleset file")
    p.add_argument("--max-mb", type=int, default=20, metavar="MB", help="每次上传的上限 upload limit per request (default: 20)")
    p.add_argument("--max-files", type=int, default=20, metavar="N", help="每次上传的记录文件数上限 record files per request (default: 20)")
    p.add_argument("--root-path", default="", help="反向代理下的路径前缀 path prefix behind a reverse proxy, e.g. /ict2")
    p.add_argument("--workers", type=int, default=1, help="工作进程数 worker processes (default: 1; see docs/serve.md)")
    p.add_argument("--access-log", action="store_true", help="记录访问日志(含客户端地址) log each request (with the client's address)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from ..web.app import create_app
    except ImportError:
        print('ict2rules: 未安装网页组件 / the web extra is not installed: pip install "ict2rules[web]"', file=sys.stderr)
        return EXIT_INPUT
    from ..web.checking import Limits

    if args.max_mb < 1 or args.max_files < 1 or args.workers < 1:
        raise InputError.single(None, "--max-mb、--max-files、--workers 至少为 1", "--max-mb, --max-files and --workers must be at least 1")
    default, extra = None, {}
    if args.ruleset:
        rs = load_ruleset(args.ruleset)  # a bad ruleset stops here, located, before serving
        default = rs.id
        if args.ruleset not in bundled_names():
            extra[rs.id] = os.path.abspath(args.ruleset)
    limits = Limits(max_bytes=args.max_mb * 1024 * 1024, max_files=args.max_files)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"ict2rules serve: http://{shown}:{args.port}{args.root_path}/  (Ctrl+C 停止 / to stop)", flush=True)
    if args.workers > 1:  # each worker process builds its own app from the environment
        os.environ["ICT2RULES_SERVE"] = "\n".join([default or "", str(limits.max_bytes), str(limits.max_files), *(f"{k}={v}" for k, v in extra.items())])
        uvicorn.run("ict2rules.web.app:from_environment", factory=True, host=args.host, port=args.port, workers=args.workers,
                    root_path=args.root_path, access_log=args.access_log, log_level="warning")
    else:
        app = create_app(default_ruleset=default, limits=limits, extra_rulesets=extra)
        uvicorn.run(app, host=args.host, port=args.port, root_path=args.root_path,
                    access_log=args.access_log, log_level="warning")
    return EXIT_OK
