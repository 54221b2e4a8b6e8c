"""Alertmanager's scalar types in YAML: durations, URLs, host:port, label names and matchers."""

from __future__ import annotations

from urllib.parse import urlsplit

from yaml import MappingNode, ScalarNode, SequenceNode

from erpmon.alerting._matcher_parse import MatcherParseError, parse_matchers
from erpmon.config._decode import Decoder
from erpmon.config._units import parse_duration
from erpmon.config._yamlnode import Node, is_null
from erpmon.model import Matcher, RegexError, go_quote, is_valid_label_name

NS_PER_MS = 1_000_000


def decode_duration_ns(dec: Decoder, node: Node | None, default: int) -> int:
    """A `model.Duration` in ns; absent gives `default`."""
    if node is None:
        return default
    if is_null(node):
        return 0
    text = dec.custom_string(node)
    if text is None:
        return default
    try:
        return parse_duration(text) * NS_PER_MS
    except ValueError as err:
        dec.error(node, str(err))
        return default


def decode_optional_duration_ns(dec: Decoder, node: Node | None) -> int | None:
    """A `*model.Duration`: absent or null leaves the pointer nil (None)."""
    return None if node is None or is_null(node) else decode_duration_ns(dec, node, 0)


def decode_url(dec: Decoder, node: Node | None, default: str) -> str:
    """`config.URL`: must parse, with a scheme and host (`unsupported scheme`, `missing host`)."""
    if node is None or is_null(node):
        return default
    text = dec.string(node)
    try:
        parts = urlsplit(text)
    except ValueError as err:
        dec.error(node, f'parse "{text}": {err}')
        return default
    if parts.scheme not in ("http", "https"):
        dec.error(node, f'unsupported scheme "{parts.scheme}" for URL')
        return default
    if not parts.hostname:
        dec.error(node, "missing host for URL")
        return default
    return text


def decode_hostport(dec: Decoder, node: Node | None) -> str:
    """`config.HostPort`: `host:port` as Go's net.SplitHostPort splits it, with a non-empty port."""
    if node is None or is_null(node):
        return ""
    text = dec.string(node)
    if not text:
        return ""
    problem = split_host_port_problem(text)
    if problem:
        dec.error(node, problem)
        return ""
    return text


def split_host_port_problem(text: str) -> str:
    """Go's `net.SplitHostPort` errors, then HostPort's own check; "" when `text` is fine."""

    def bad(why: str) -> str:
        return f"address {text}: {why}"

    i = text.rfind(":")
    if i < 0:
        return bad("missing port in address")
    j = k = 0
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return bad("missing ']' in address")
        if end + 1 == len(text):
            return bad("missing port in address")
        if end + 1 != i:
            return bad("too many colons in address" if text[end + 1] == ":" else "missing port in address")
        j, k = 1, end + 1
    elif ":" in text[:i]:
        return bad("too many colons in address")
    if "[" in text[j:]:
        return bad("unexpected '[' in address")
    if "]" in text[k:]:
        return bad("unexpected ']' in address")
    if not text[i + 1 :]:
        return f"address {go_quote(text)}: port cannot be empty"
    return ""


def decode_matchers(dec: Decoder, node: Node | None) -> list[Matcher]:
    """`config.Matchers`: a list of matcher strings, each possibly holding several."""
    out: list[Matcher] = []
    if node is not None and not is_null(node) and not isinstance(node, SequenceNode):
        dec.terror(node, "[]string")
        return out
    for text_node in _seq(node):
        text = dec.string(text_node)
        try:
            out.extend(parse_matchers(text))
        except MatcherParseError as err:
            dec.error(text_node, str(err))
    return out


def decode_match(dec: Decoder, node: Node | None, *, regex: bool) -> list[Matcher]:
    """The deprecated `match` / `match_re` maps (`match_re` is `config.MatchRegexps`)."""
    items = dec.string_map(node, "config.plain" if regex else "map[string]string") or {}
    if regex and isinstance(node, MappingNode):
        # A null value leaves the Regexp unset, which MatchRegexps refuses.
        nulls = {k.value for k, v in node.value if isinstance(k, ScalarNode) and is_null(v)}
        for name in sorted(nulls):
            dec.error(node, f"invalid regexp value for {go_quote(name)}")
        items = {k: v for k, v in items.items() if k not in nulls}
    out = []
    for name, value in items.items():
        if not is_valid_label_name(name):
            dec.error(node, f"invalid label name {go_quote(name)}")
            continue
        try:
            # 0.25 keeps match_re values compiled as `^(?:value)$` and builds the matcher from that
            # string, so route keys (and group keys) show the anchored form.
            out.append(Matcher.regex(name, f"^(?:{value})$") if regex else Matcher.equal(name, value))
        except RegexError as err:
            dec.error(node, str(err))
    return out


def _seq(node: Node | None) -> list[Node]:
    if node is None or is_null(node):
        return []
    if isinstance(node, SequenceNode):
        return list(node.value)
    return [node]
