"""Prometheus's query API: /api/v1/query, /query_range, /series, /labels, /label/<name>/values."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from erpmon.model import Labels, Matcher, is_valid_label_name
from erpmon.promql import Engine, PromQLSyntaxError, QueryError, parse_metric_selector
from erpmon.storage import Queryable
from erpmon.web._params import MAX_TIME_MS, MIN_TIME_MS, ParamError, parse_duration_ms, parse_time_ms
from erpmon.web._responses import error, success

_STATUS = {"bad_data": 400, "execution": 422, "timeout": 503, "canceled": 503, "internal": 500}


Params = tuple[QueryParams, QueryParams | None]


async def _params(request: Request) -> Params:
    """URL parameters, plus an x-www-form-urlencoded POST body (what Prometheus's clients send)."""
    form = None
    if request.method == "POST":
        form = QueryParams((await request.body()).decode("utf-8", "replace"))
    return request.query_params, form


def _get(params: Params, name: str) -> str | None:
    query, form = params
    if form is not None and name in form:
        return form.get(name)
    return query.get(name)


def _get_list(params: Params, name: str) -> list[str]:
    query, form = params
    return list(query.getlist(name)) + (list(form.getlist(name)) if form is not None else [])


def _fail(err: QueryError | ParamError | PromQLSyntaxError) -> Response:
    if isinstance(err, QueryError):
        return error(err.error_type, str(err), _STATUS.get(err.error_type, 422))
    return error("bad_data", str(err), 400)


def query_routes(engine: Engine, queryable: Queryable, now_ms: Callable[[], int]) -> list[Route]:
    async def run(fn: Callable[[], Any]) -> Response:
        try:
            result = await asyncio.to_thread(fn)
        except (QueryError, ParamError, PromQLSyntaxError) as err:
            return _fail(err)
        if hasattr(result, "to_json"):
            return success(result.to_json(), result.warnings or None)
        return success(result)

    async def query(request: Request) -> Response:
        p = await _params(request)
        text = _get(p, "query")
        at = _get(p, "time")
        try:
            t = parse_time_ms(at, "time") if at else now_ms()
        except ParamError as err:
            return _fail(err)
        return await run(lambda: engine.instant_query(text or "", t))

    async def query_range(request: Request) -> Response:
        p = await _params(request)
        text = _get(p, "query") or ""
        try:
            start = parse_time_ms(_get(p, "start") or "", "start")
            end = parse_time_ms(_get(p, "end") or "", "end")
            step = parse_duration_ms(_get(p, "step") or "", "step")
        except ParamError as err:
            return _fail(err)
        return await run(lambda: engine.range_query(text, start, end, step))

    def _bounds(p: Params) -> tuple[int, int]:
        start = _get(p, "start")
        end = _get(p, "end")
        return (
            parse_time_ms(start, "start") if start else MIN_TIME_MS,
            parse_time_ms(end, "end") if end else MAX_TIME_MS,
        )

    def _selectors(p: Params) -> list[list[Matcher]]:
        out = []
        for text in _get_list(p, "match[]"):
            matchers = parse_metric_selector(text)
            if all(m.matches_empty() for m in matchers):
                raise ParamError("match[] must contain at least one non-empty matcher")
            out.append(matchers)
        return out

    def _series_labels(p: Params, require_match: bool) -> list[Labels] | None:
        mint, maxt = _bounds(p)
        selectors = _selectors(p)
        if not selectors:
            if require_match:
                raise ParamError("no match[] parameter provided")
            return None
        q = queryable.querier(mint, maxt)
        try:
            found: dict[Labels, None] = {}
            for matchers in selectors:
                for s in q.select(matchers):
                    found[s.labels] = None
        finally:
            q.close()
        return sorted(found)

    async def series(request: Request) -> Response:
        p = await _params(request)
        return await run(lambda: [lset.to_dict() for lset in _series_labels(p, True) or []])

    async def labels(request: Request) -> Response:
        p = await _params(request)

        def names() -> list[str]:
            matched = _series_labels(p, False)
            if matched is not None:
                return sorted({n for lset in matched for n, _ in lset.pairs})
            mint, maxt = _bounds(p)
            q = queryable.querier(mint, maxt)
            try:
                return sorted(q.label_names())
            finally:
                q.close()

        return await run(names)

    async def label_values(request: Request) -> Response:
        name = request.path_params["name"]
        if not is_valid_label_name(name):
            return error("bad_data", f'invalid label name: "{name}"', 400)
        p = await _params(request)

        def values() -> list[str]:
            matched = _series_labels(p, False)
            if matched is not None:
                return sorted({lset.get(name) for lset in matched if lset.has(name)})
            mint, maxt = _bounds(p)
            q = queryable.querier(mint, maxt)
            try:
                return sorted(q.label_values(name))
            finally:
                q.close()

        return await run(values)

    both = ["GET", "POST"]
    return [
        Route("/api/v1/query", query, methods=both),
        Route("/api/v1/query_range", query_range, methods=both),
        Route("/api/v1/series", series, methods=both),
        Route("/api/v1/labels", labels, methods=both),
        Route("/api/v1/label/{name}/values", label_values, methods=["GET"]),
    ]
