"""``ict2rules serve``: a web page for the school coordinator and a JSON API, over the same
readers, evaluator and writers as the CLI. Needs the optional extra: ``pip install
"ict2rules[web]"`` (Starlette, uvicorn, python-multipart).

The framework-free part (:mod:`.checking`) and the page (:mod:`.page`) import without it;
:func:`ict2rules.web.app.create_app` makes the ASGI application.
"""
