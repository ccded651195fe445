"""Web layers: the only package that imports the web framework (Starlette, served by uvicorn).

* :mod:`heard.web.coding` — the hand-coding page of ``heard code`` (a sub-app,
  :func:`~heard.web.coding.coding_app`, that ``heard serve`` can mount at ``/code``).

Example:
    >>> from heard.web.coding import coding_app                 # doctest: +SKIP
    >>> app = coding_app(Path("corpus.duckdb"))                 # doctest: +SKIP
"""
