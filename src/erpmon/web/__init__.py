"""HTTP: Prometheus's management endpoints and API shapes, served by Starlette; owns no state.

Owns: routes, request validation and the JSON shapes of Prometheus's HTTP API.
Reads from: a `WebContext` the CLI fills with callables (targets, tsdb stats, reload, metrics).
Hands on: HTTP responses; reload requests to the CLI's reload function.
"""

from erpmon.web._app import WebContext, build_app
from erpmon.web._query_api import query_routes
from erpmon.web._responses import rfc3339
from erpmon.web._rules_api import rules_routes

__all__ = ["WebContext", "build_app", "query_routes", "rfc3339", "rules_routes"]
