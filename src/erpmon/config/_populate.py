"""Target label population for static targets, as `promtool check config` runs it.

Besides loading the file, promtool 2.42 builds every static target of every job (and every static
Alertmanager) the way the scrape manager would (`scrape.PopulateLabels`, `notifier.AlertmanagerFromGroup`)
and rejects the config on the first failure: no `__address__` after relabeling, a URL as address,
an unusable scheme, or relabeled `__scrape_interval__` / `__scrape_timeout__` values that do not parse.
`populate_target()` is that function; the scrape stage can use it to build targets. (The
Alertmanager half lives with `AlertmanagerConfig`.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from erpmon.config._scrape import ScrapeConfig
from erpmon.config._targets import ADDRESS_LABEL, TargetGroup
from erpmon.config._units import format_duration, parse_duration
from erpmon.model import Labels, go_quote
from erpmon.relabel import relabel

SCHEME_LABEL = "__scheme__"
METRICS_PATH_LABEL = "__metrics_path__"
SCRAPE_INTERVAL_LABEL = "__scrape_interval__"
SCRAPE_TIMEOUT_LABEL = "__scrape_timeout__"
PARAM_PREFIX = "__param_"
META_PREFIX = "__meta_"


class TargetError(ValueError):
    """A target Prometheus refuses to build; the message is Prometheus's."""


def split_host_port(hostport: str) -> tuple[str, str] | None:
    """Go's net.SplitHostPort: (host, port) or None when it fails (the port may be empty)."""
    i = hostport.rfind(":")
    if i < 0:
        return None
    j = k = 0
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or end + 1 != i:
            return None
        host = hostport[1:end]
        j, k = 1, end + 1
    else:
        host = hostport[:i]
        if ":" in host:
            return None
    if "[" in hostport[j:] or "]" in hostport[k:]:
        return None
    return host, hostport[i + 1 :]


def _group_labels(group: TargetGroup, target: str) -> dict[str, str]:
    out = group.labels.to_dict()
    out[ADDRESS_LABEL] = target
    return out


def populate_target(labels: Mapping[str, str], cfg: ScrapeConfig) -> tuple[Labels | None, Labels]:
    """Prometheus's `PopulateLabels`: (final labels, or None if relabeling dropped the target; labels
    before relabeling).

    Raises `TargetError` for a target Prometheus cannot scrape.
    """
    work = {k: v for k, v in labels.items() if v != ""}
    defaults = {
        "job": cfg.job_name,
        SCRAPE_INTERVAL_LABEL: format_duration(cfg.scrape_interval_ms),
        SCRAPE_TIMEOUT_LABEL: format_duration(cfg.scrape_timeout_ms),
        METRICS_PATH_LABEL: cfg.metrics_path,
        SCHEME_LABEL: cfg.scheme,
    }
    for name, value in defaults.items():
        if not work.get(name) and value:
            work[name] = value
    for name, values in cfg.params.items():
        if values:
            if values[0]:
                work[PARAM_PREFIX + name] = values[0]
            else:
                work.pop(PARAM_PREFIX + name, None)
    before = Labels(work)
    after = relabel(before, cfg.relabel_configs)
    if after is None:
        return None, before
    out = after.to_dict()
    addr = out.get(ADDRESS_LABEL, "")
    if addr == "":
        raise TargetError("no address")
    if split_host_port(addr) is None and split_host_port(addr + ":1234") is not None:
        scheme = out.get(SCHEME_LABEL, "")
        if scheme in ("http", ""):
            addr += ":80"
        elif scheme == "https":
            addr += ":443"
        else:
            raise TargetError(f"invalid scheme: {go_quote(cfg.scheme)}")
        out[ADDRESS_LABEL] = addr
    if "/" in addr:
        raise TargetError(f"{go_quote(addr)} is not a valid hostname")
    interval, timeout = after.get(SCRAPE_INTERVAL_LABEL), after.get(SCRAPE_TIMEOUT_LABEL)
    interval_ms = _duration(interval, "interval")
    timeout_ms = _duration(timeout, "timeout")
    if timeout_ms > interval_ms:
        both = f"({go_quote(timeout)} > {go_quote(interval)})"
        raise TargetError(f"scrape timeout cannot be greater than scrape interval {both}")
    out = {k: v for k, v in out.items() if not k.startswith(META_PREFIX)}
    if not after.get("instance"):
        out["instance"] = addr
    return Labels(out), before


def _duration(text: str, what: str) -> int:
    try:
        value = parse_duration(text)
    except ValueError as err:
        raise TargetError(f"error parsing scrape {what}: {err}") from None
    if value == 0:
        raise TargetError(f"scrape {what} cannot be 0")
    return value


def scrape_target_problem(cfg: ScrapeConfig, groups: Sequence[TargetGroup] | None = None) -> str | None:
    """The first target (static ones by default) Prometheus cannot build, worded as promtool reports it."""
    for group in cfg.static_configs if groups is None else groups:
        for i, target in enumerate(group.targets):
            try:
                populate_target(_group_labels(group, target), cfg)
            except TargetError as err:
                return f"instance {i} in group {group.source}: {err}"
    return None
