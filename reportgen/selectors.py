"""Selectors: the one textual form that locates a number inside an artifact.

A selector is a string with a scheme, so that an auditor can find the number
again by hand and ``reportgen verify`` can re-read it by machine:

``json:/metrics/http_req_duration/values/p(95)``
    RFC 6901 JSON pointer into a JSON document.
``csv:row[Type=GET,Name=/api/items]/col[95%]``
    The CSV row whose key columns have these values, and the column name
    (``row[3]`` is a 1-based data row number when a file has no key).
``xml:/testsuites/testsuite[1]/@failures``
    An XPath-like path (1-based indexes) to an element or attribute.
``text:line[12]/field[Requests/sec]``
    A field on one line of a text report.
``query:p(95) of value where metric=http_req_duration and name=slow; estimator=k6-linear``
    A reduction computed over a stream: statistic, filter, estimator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def _escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def json_pointer(*tokens: str | int) -> str:
    """``json_pointer("metrics", "http_reqs", "count")`` → ``json:/metrics/http_reqs/count``."""
    return "json:" + "".join("/" + _escape_pointer_token(str(t)) for t in tokens)


def _escape_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace("]", "\\]").replace("=", "\\=")


def csv_cell(row_key: Mapping[str, str] | int, column: str) -> str:
    """A CSV cell by row key (column → value) or 1-based data row number, and column name."""
    if isinstance(row_key, int):
        row = f"row[{row_key}]"
    else:
        row = "row[" + ",".join(f"{_escape_cell(k)}={_escape_cell(v)}" for k, v in row_key.items()) + "]"
    return f"csv:{row}/col[{_escape_cell(column)}]"


def xml_path(steps: Iterable[str], attribute: str | None = None) -> str:
    """``xml_path(["testsuites", "testsuite[2]"], "failures")`` → ``xml:/testsuites/testsuite[2]/@failures``."""
    path = "xml:/" + "/".join(steps)
    return path + (f"/@{attribute}" if attribute else "")


def text_field(line: int, field: str) -> str:
    return f"text:line[{line}]/field[{field}]"


def stream_query(stat: str, value: str, filters: Mapping[str, str], estimator: str | None = None) -> str:
    """A reduction over a stream: ``query:p(95) of value where metric=… and name=…; estimator=…``."""
    where = " and ".join(f"{k}={v}" for k, v in filters.items())
    text = f"query:{stat} of {value}" + (f" where {where}" if where else "")
    return text + (f"; estimator={estimator}" if estimator else "")
