"""Alertmanager endpoints from target groups, as Prometheus 2.42's `AlertmanagerFromGroup` finds them.

Each target starts with `__address__`, `__scheme__` (the config's scheme) and `__alerts_path__`
(path_prefix joined with `/api/<version>/alerts`), plus its group's labels; the AM set's
`relabel_configs` then act on these target labels (never on alerts). A target relabeled away is
"dropped" (shown with its labels before relabeling); an address with a `/` fails the whole group.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from erpmon.config import AlertmanagerConfig, TargetGroup
from erpmon.model import Labels, go_quote
from erpmon.relabel import relabel

ADDRESS = "__address__"
SCHEME = "__scheme__"
ALERTS_PATH = "__alerts_path__"


class TargetGroupError(ValueError):
    """A group whose relabeled address is not a host name (Prometheus skips the whole group)."""


def post_path(path_prefix: str, api_version: str) -> str:
    """`postPath`: Go's path.Join("/", prefix, "/api/<v>/alerts")."""
    return posixpath.normpath(posixpath.join("/", path_prefix.lstrip("/"), f"api/{api_version}/alerts"))


def am_url(labels: Labels) -> str:
    """`url.URL{Scheme, Host, Path}.String()` for an Alertmanager's labels."""
    scheme, host, path = labels.get(SCHEME), labels.get(ADDRESS), labels.get(ALERTS_PATH)
    # Go's EscapedPath keeps the characters valid in a path segment and escapes the rest.
    escaped = quote(path, safe="/:@!$&'()*+,;=-._~")
    if path and not path.startswith("/") and host:
        escaped = "/" + escaped
    text = f"{scheme}:" if scheme else ""
    if scheme or host:
        text += f"//{host}"
    return text + escaped


@dataclass(frozen=True)
class Endpoints:
    active: tuple[str, ...]
    dropped: tuple[str, ...]


def alertmanagers_from_group(group: TargetGroup, cfg: AlertmanagerConfig) -> Endpoints:
    """The active and dropped Alertmanager URLs of one group; raises `TargetGroupError`."""
    active: list[str] = []
    dropped: list[str] = []
    path = post_path(cfg.path_prefix, cfg.api_version)
    for address in group.targets:
        # Group labels may set __scheme__ or __alerts_path__ themselves; the target's own
        # __address__ always wins, as the target's label set does in Go.
        work = {SCHEME: cfg.scheme, ALERTS_PATH: path, **group.labels.to_dict(), ADDRESS: address}
        before = Labels(work)
        after = relabel(before, cfg.relabel_configs)
        if after is None:
            dropped.append(am_url(before))
            continue
        addr = after.get(ADDRESS)
        if "/" in addr:
            raise TargetGroupError(f"{go_quote(addr)} is not a valid hostname")
        active.append(am_url(after))
    return Endpoints(tuple(active), tuple(dropped))


def sync_endpoints(groups: Sequence[TargetGroup], cfg: AlertmanagerConfig) -> tuple[Endpoints, list[str]]:
    """`alertmanagerSet.sync`: all groups' endpoints, active ones deduplicated by URL; errors by group."""
    active: list[str] = []
    dropped: list[str] = []
    errors: list[str] = []
    for group in groups:
        try:
            found = alertmanagers_from_group(group, cfg)
        except TargetGroupError as err:
            errors.append(str(err))
            continue
        active.extend(found.active)
        dropped.extend(found.dropped)
    return Endpoints(tuple(dict.fromkeys(active)), tuple(dropped)), errors
