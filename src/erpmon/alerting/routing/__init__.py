"""The routing tree: which routes, and so which receivers, an alert's labels reach (`dispatch.Route`).

Owns: `Route` (options inherited from the parent, sorted matchers, `continue`), matching a label set,
route keys and ids as Alertmanager 0.25 prints them, and building the tree from the config.
Reads from: `erpmon.model` (labels, matchers), `erpmon.alerting._matchers`.
Hands on: matched routes to the dispatcher, the tree to `erpmon alerts routes test` and the API.
"""

from erpmon.alerting.routing._route import DEFAULT_OPTIONS, Route, RouteOptions

__all__ = ["DEFAULT_OPTIONS", "Route", "RouteOptions"]
