"""Relabel config lists from YAML: `relabel.Config.UnmarshalYAML` of Prometheus 2.42, into `RelabelConfig`."""

from __future__ import annotations

from erpmon.config._decode import Decoder
from erpmon.config._yamlnode import Node, is_null
from erpmon.model import is_valid_label_name
from erpmon.relabel import (
    DEFAULT_REGEX,
    DEFAULT_REPLACEMENT,
    DEFAULT_SEPARATOR,
    Action,
    RegexError,
    RelabelConfig,
    RelabelConfigError,
    go_quote,
)

_KEYS = ("source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action")


def decode_label_name(dec: Decoder, node: Node) -> str | None:
    """A `model.LabelName` (custom unmarshaler): null gives '', an invalid name is an error."""
    if is_null(node):
        return ""
    text = dec.custom_string(node)
    if text is None:
        return None
    if not is_valid_label_name(text):
        dec.error(node, f"{go_quote(text)} is not a valid label name")
        return None
    return text


def decode_relabel_list(dec: Decoder, node: Node | None, null_rule: str) -> tuple[RelabelConfig, ...]:
    """A `[]*relabel.Config`; a null item is reported with `null_rule` (Prometheus's wording)."""

    def item(child: Node) -> RelabelConfig | None:
        if is_null(child):
            dec.error(child, null_rule)
            return None
        return _decode_one(dec, child)

    return tuple(dec.sequence(node, item, "[]*relabel.Config") or ())


def _decode_one(dec: Decoder, node: Node) -> RelabelConfig | None:
    mark = dec.mark()
    f = dec.fields(node, "relabel.plain", _KEYS)
    if f is None:
        return None
    src_node = f.get("source_labels")
    sources = dec.sequence(src_node, lambda n: decode_label_name(dec, n), "model.LabelNames")
    regex_node = f.get("regex")
    regex = DEFAULT_REGEX
    if regex_node is not None:
        regex = dec.custom_string(regex_node) or ""
    action_node = f.get("action")
    action: Action | None = Action.REPLACE
    if action_node is not None:
        text = dec.custom_string(action_node)
        action = None
        if text is not None:
            try:
                action = Action.parse(text)
            except RelabelConfigError as err:
                dec.error(action_node, str(err))
                return None
    separator = dec.string(f.get("separator"), DEFAULT_SEPARATOR)
    modulus = dec.integer(f.get("modulus"), 0, "uint64")
    target_label = dec.string(f.get("target_label"))
    replacement = dec.string(f.get("replacement"), DEFAULT_REPLACEMENT)
    if not dec.clean(mark):
        return None
    if action is None:
        dec.error(action_node or node, "relabel action cannot be empty")
        return None
    try:
        return RelabelConfig(
            source_labels=tuple(sources or ()),
            regex=regex,
            action=action,
            separator=separator,
            modulus=modulus,
            target_label=target_label,
            replacement=replacement,
            regex_given=regex_node is not None,
            source_labels_given=sources is not None,
        )
    except RegexError as err:
        dec.error(regex_node, str(err))
    except RelabelConfigError as err:
        dec.error(node, str(err))
    return None
