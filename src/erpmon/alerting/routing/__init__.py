"""The routing tree: which routes, and so which receivers, an alert's labels reach (`dispatch.Route`).

Owns: `Route` (options inherited from the parent, sorted matchers, `continue`), matching a label set,
route keys as Alertmanager 0.25 prints them, and building the tree from alertmanager.yml.
Reads from: `erpmon.model` (labels, matchers), `erpmon.alerting._matchers`, the config's YAML layer.
Hands on: matched routes to the dispatcher, the tree to `erpmon alerts routes` and the API.
"""

from erpmon.alerting.routing._build import ROUTE_KEYS, build_route
from erpmon.alerting.routing._route import DEFAULT_OPTIONS, Route, RouteOptions

__all__ = ["DEFAULT_OPTIONS", "ROUTE_KEYS", "Route", "RouteOptions", "build_route"]
