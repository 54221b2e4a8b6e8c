"""Building the route tree from alertmanager.yml's `route:` (0.25's `config.Route` + `NewRoute`)."""

from __future__ import annotations

from dataclasses import replace

from yaml import SequenceNode

from erpmon.alerting._matchers import sort_matchers
from erpmon.alerting._yamlvalues import (
    decode_match,
    decode_matchers,
    decode_optional_duration_ns,
)
from erpmon.alerting.routing._route import DEFAULT_OPTIONS, Route
from erpmon.config._decode import Decoder
from erpmon.config._yamlnode import Node, is_null
from erpmon.model import go_quote, is_valid_label_name

ROUTE_KEYS = (
    "receiver",
    "group_by",
    "match",
    "match_re",
    "matchers",
    "mute_time_intervals",
    "active_time_intervals",
    "continue",
    "routes",
    "group_wait",
    "group_interval",
    "repeat_interval",
)


def build_route(dec: Decoder, node: Node | None, parent: Route | None = None) -> tuple[Route, Node | None]:
    """A route and its children; options not given are inherited from the parent."""
    f = dec.fields(node, "config.plain", ROUTE_KEYS) or {}
    opts = parent.options if parent is not None else DEFAULT_OPTIONS
    receiver = dec.string(f.get("receiver"))
    if receiver:
        opts = replace(opts, receiver=receiver)
    group_by = dec.string_list(f.get("group_by"))
    if group_by is not None:
        names = [g for g in group_by if g != "..."]
        group_all = len(names) != len(group_by)
        for name in names:
            if not is_valid_label_name(name):
                dec.error(f.get("group_by"), f"invalid label name {go_quote(name)} in group_by list")
        if names and group_all:
            dec.error(
                f.get("group_by"),
                "cannot have wildcard group_by (`...`) and other other labels at the same time",
            )
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            dec.error(f.get("group_by"), f'duplicated label "{dup}" in group_by')
        # As NewRoute: labels replace the parent's; `'...'` alone keeps them but groups by all;
        # an empty list inherits both.
        if names:
            opts = replace(opts, group_by=frozenset(names), group_by_all=False)
        elif group_all:
            opts = replace(opts, group_by_all=True)
    timers: dict[str, int] = {}
    for key in ("group_wait", "group_interval", "repeat_interval"):
        value = decode_optional_duration_ns(dec, f.get(key))
        if value is None:
            continue
        if value == 0 and key != "group_wait":
            dec.error(f.get(key), f"{key} cannot be zero")
        timers[key] = value
    opts = replace(
        opts,
        group_wait_ns=timers.get("group_wait", opts.group_wait_ns),
        group_interval_ns=timers.get("group_interval", opts.group_interval_ns),
        repeat_interval_ns=timers.get("repeat_interval", opts.repeat_interval_ns),
    )
    matchers = [
        *decode_match(dec, f.get("match"), regex=False),
        *decode_match(dec, f.get("match_re"), regex=True),
        *decode_matchers(dec, f.get("matchers")),
    ]
    opts = replace(
        opts,
        mute_time_intervals=tuple(dec.string_list(f.get("mute_time_intervals")) or ()),
        active_time_intervals=tuple(dec.string_list(f.get("active_time_intervals")) or ()),
    )
    route = Route(opts, sort_matchers(matchers), dec.boolean(f.get("continue"), False), parent=parent)
    children = f.get("routes")
    if children is not None and not is_null(children):
        if isinstance(children, SequenceNode):
            for child in children.value:
                if is_null(child):
                    # Alertmanager 0.25 crashes on a null route; erpmon refuses it.
                    dec.error(child, "a route in routes must not be null")
                    continue
                route.routes.append(build_route(dec, child, route)[0])
        else:
            dec.terror(children, "[]*config.Route")
    return route, node
