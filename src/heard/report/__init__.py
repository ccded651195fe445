"""Reports: one command turns a labelled store into HTML, charts, a summary and tables.

:func:`build_report` writes the report folder; :func:`report_numbers`
returns the same numbers as a JSON-ready dict. Example posts are redacted
(:mod:`~heard.report.redact`), every user text is escaped, and nothing is
fetched from the network.

Example:
    >>> from heard.report import build_report
    >>> with Store.open("corpus.duckdb", read_only=True) as store:      # doctest: +SKIP
    ...     result = build_report(store, Path("report"), progress=print)
"""

from __future__ import annotations

from heard.report.build import ReportResult, build_report
from heard.report.numbers import report_numbers
from heard.report.redact import Pseudonyms, redact

__all__ = ["Pseudonyms", "ReportResult", "build_report", "redact", "report_numbers"]
