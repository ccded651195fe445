"""``heard serve`` and ``heard code``: a local moderation API, a dashboard and a
coding page over one store, on one origin.

Only this package imports the web framework (Starlette, served by uvicorn).
It is a thin layer: reads go through :mod:`heard.store.reads`, labels through
:class:`heard.Classifier`, the report's numbers through
:func:`heard.report.report_numbers`, thread reception through
:mod:`heard.threads.tree`. Modules:

* :mod:`heard.web.app` — :func:`~heard.web.app.create_app`, the guard
  (auth, limits, security headers, access log) and the bind check;
* :mod:`heard.web.api` — the ``/v1`` handlers;
* :mod:`heard.web.openapi` — the OpenAPI document served at ``/openapi.json``;
* :mod:`heard.web.problems` — ``application/problem+json`` errors;
* :mod:`heard.web.limits` — the per-client token bucket;
* :mod:`heard.web.dashboard` — the dashboard page and its static files;
* :mod:`heard.web.coding` — the hand-coding page (:func:`~heard.web.coding.coding_app`),
  served alone by ``heard code`` and mounted at ``/code`` by ``heard serve``.

Example:
    >>> from heard.web.app import create_app                    # doctest: +SKIP
    >>> app = create_app("corpus.duckdb")                       # doctest: +SKIP
    >>> import uvicorn; uvicorn.run(app, host="127.0.0.1")      # doctest: +SKIP
"""
