"""`Route` and `RouteOptions`: one node of the routing tree and the options it resolves to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from erpmon.alerting._matchers import format_matchers, matches_all
from erpmon.model import Labels, Matcher

NS = 1_000_000_000


@dataclass(frozen=True)
class RouteOptions:
    """`dispatch.RouteOpts`: what a route resolved to once its parent's options were inherited."""

    receiver: str = ""
    group_by: frozenset[str] = frozenset()
    group_by_all: bool = False
    group_wait_ns: int = 30 * NS
    group_interval_ns: int = 300 * NS
    repeat_interval_ns: int = 4 * 3600 * NS
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()


DEFAULT_OPTIONS = RouteOptions()


@dataclass(eq=False)
class Route:
    """A node of the routing tree; `matchers` are sorted as Alertmanager sorts them."""

    options: RouteOptions
    matchers: tuple[Matcher, ...] = ()
    continue_: bool = False
    routes: list[Route] = field(default_factory=list)
    parent: Route | None = field(default=None, repr=False)

    def match(self, labels: Labels) -> list[Route]:
        """`Route.Match`: the deepest matching routes, honouring `continue`; [] if this one fails."""
        if not matches_all(self.matchers, labels):
            return []
        found: list[Route] = []
        for child in self.routes:
            hits = child.match(labels)
            found.extend(hits)
            if hits and not child.continue_:
                break
        return found or [self]

    def key(self) -> str:
        """`Route.Key`: the matchers of every route from the root, joined by '/'."""
        own = format_matchers(self.matchers)
        return own if self.parent is None else f"{self.parent.key()}/{own}"

    def walk(self) -> Iterator[Route]:
        yield self
        for child in self.routes:
            yield from child.walk()

    def group_labels(self, labels: Labels) -> Labels:
        """`getGroupLabels`: the alert's labels named in group_by, or all with `'...'`."""
        if self.options.group_by_all:
            return labels
        return Labels((n, v) for n, v in labels if n in self.options.group_by)
