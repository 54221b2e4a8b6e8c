"""YAML nodes with positions, resolved the way Go's gopkg.in/yaml.v2 resolves them.

PyYAML parses and composes (so every node keeps its line and column); this module then decides
what a scalar *is* with yaml.v2's rules rather than PyYAML's: `y`/`n`/`on`/`off` are booleans,
`0x1F`, `0o17`, `017`, `0b1`, `1_000` are ints, a quoted scalar is always a string, and a scalar
decoded into a string field keeps its literal text whatever it resolves to. Plain scalars are
tagged `?` by the loader, quoted and block scalars `!`, so explicit tags stay distinguishable.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml

PLAIN = "?"
QUOTED = "!"
LONG_PREFIX = "tag:yaml.org,2002:"
STR, BOOL, INT, FLOAT, NULL = "!!str", "!!bool", "!!int", "!!float", "!!null"
TIMESTAMP, MERGE, BINARY, SEQ, MAP = "!!timestamp", "!!merge", "!!binary", "!!seq", "!!map"

Node = yaml.Node
ScalarNode = yaml.ScalarNode
MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode


class FatalYAMLError(Exception):
    """An error after which yaml.v2 stops decoding the whole document."""

    def __init__(self, node: Node | None, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


class _Loader(yaml.SafeLoader):
    """PyYAML's parser and composer, leaving scalar resolution to `resolve` below.

    Two libyaml/yaml.v2 behaviours differ from PyYAML's: an anchor may be defined again (the later
    definition wins), and only `%YAML 1.1` documents are accepted.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not isinstance(event, yaml.AliasEvent):
            self.anchors.pop(anchor, None)
        return super().compose_node(parent, index)

    def process_directives(self) -> Any:
        result = super().process_directives()  # type: ignore[no-untyped-call]
        version = getattr(self, "yaml_version", None)
        if version is not None and tuple(version) != (1, 1):
            mark = self.peek_token().start_mark  # type: ignore[no-untyped-call]
            raise yaml.parser.ParserError(None, None, "found incompatible YAML document", mark)
        return result

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else QUOTED
        tag: str = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag


def compose(text: str) -> Node | None:
    """The first document's root node (None for an empty stream); raises yaml.YAMLError."""
    loader = _Loader(text)
    try:
        if not loader.check_node():
            return None
        node: Node | None = loader.get_node()
        return node
    finally:
        loader.dispose()


def position(node: Node | None) -> tuple[int, int]:
    """1-based (line, column) of a node, (0, 0) when unknown."""
    if node is None:
        return 0, 0
    return node.start_mark.line + 1, node.start_mark.column + 1


def short_tag(tag: str) -> str:
    return "!!" + tag[len(LONG_PREFIX) :] if tag.startswith(LONG_PREFIX) else tag


def explicit_tag(node: Node) -> str:
    """The node's explicit tag in short form, '' when it has none."""
    tag: str = node.tag
    if tag in (PLAIN, QUOTED) or tag in (LONG_PREFIX + "map", LONG_PREFIX + "seq"):
        return ""
    return short_tag(tag)


def is_null(node: Node) -> bool:
    """yaml.v2's `prepare` test: a null skips custom unmarshalers and leaves the zero value."""
    if explicit_tag(node) == NULL:
        return True
    if not isinstance(node, ScalarNode) or node.tag not in (PLAIN, QUOTED):
        return False
    value = node.value
    return value in ("null", "~") or (value == "" and node.tag == PLAIN)


def is_merge_key(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.value == "<<" and node.tag in (PLAIN, LONG_PREFIX + "merge")


_BOOLS = {
    **dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], True),
    **dict.fromkeys(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], False),
}
_SPECIAL: dict[str, tuple[str, Any]] = {
    **{k: (BOOL, v) for k, v in _BOOLS.items()},
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], (NULL, None)),
    **dict.fromkeys([".nan", ".NaN", ".NAN"], (FLOAT, math.nan)),
    **dict.fromkeys([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"], (FLOAT, math.inf)),
    **dict.fromkeys(["-.inf", "-.Inf", "-.INF"], (FLOAT, -math.inf)),
    "<<": (MERGE, "<<"),
}
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?\Z")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(([Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2}))"
    r"|( [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?))?\Z"
)
_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}


def go_parse_int(text: str, *, signed: bool = True) -> int | None:
    """strconv.ParseInt(text, 0, 64) (or ParseUint when not signed); None when Go fails."""
    s = text
    neg = False
    if signed and s[:1] in ("+", "-"):
        neg = s[0] == "-"
        s = s[1:]
    base = 10
    if s[:2] in ("0x", "0X"):
        base, s = 16, s[2:]
    elif s[:2] in ("0o", "0O"):
        base, s = 8, s[2:]
    elif s[:2] in ("0b", "0B"):
        base, s = 2, s[2:]
    elif len(s) > 1 and s[0] == "0":
        base, s = 8, s[1:]
    if not s or any(c not in _DIGITS[base] for c in s):
        return None
    value = -int(s, base) if neg else int(s, base)
    if signed:
        return value if -(1 << 63) <= value < (1 << 63) else None
    return value if value < (1 << 64) else None


def _go_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isinf(value) else value


def resolve_plain(text: str, *, allow_timestamp: bool = True) -> tuple[str, Any]:
    """yaml.v2's resolve() for an untagged plain scalar: (short tag, value)."""
    if text in _SPECIAL:
        return _SPECIAL[text]
    head = text[:1]
    if head == ".":
        if _DOT_FLOAT.match(text):
            value = _go_float(text)
            if value is not None:
                return FLOAT, value
    elif head and (head in "+-" or (head.isdigit() and head.isascii())):
        if allow_timestamp and _TIMESTAMP.match(text):
            return TIMESTAMP, text
        plain = text.replace("_", "")
        for signed in (True, False):
            number = go_parse_int(plain, signed=signed)
            if number is not None:
                return INT, number
        if _YAML_FLOAT.match(plain):
            value = _go_float(plain)
            if value is not None:
                return FLOAT, value
        if plain.startswith(("0b", "-0b")):
            digits = plain[2:] if plain[0] == "0" else "-" + plain[3:]
            if digits.lstrip("-") and all(c in "01" for c in digits.lstrip("-")):
                return INT, int(digits, 2)
    return STR, text


def resolve(node: Node) -> tuple[str, Any]:
    """What a scalar node decodes to under yaml.v2: (short tag, Python value).

    Raises FatalYAMLError when an explicit tag contradicts the text (`!!int abc`).
    """
    tag = node.tag
    text: str = node.value
    if tag == QUOTED:
        return STR, text
    if tag == PLAIN:
        return resolve_plain(text)
    short = short_tag(tag)
    if short == BINARY:
        try:
            return BINARY, base64.b64decode(text, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            raise FatalYAMLError(node, "!!binary value contains invalid base64 data") from None
    if short not in (STR, BOOL, INT, FLOAT, NULL, TIMESTAMP):
        return short, text
    if short == STR:
        return STR, text
    got_tag, value = resolve_plain(text, allow_timestamp=short == TIMESTAMP)
    if got_tag == short:
        return got_tag, value
    if short == FLOAT and got_tag == INT:
        return FLOAT, float(value)
    raise FatalYAMLError(node, f"cannot decode {got_tag} `{text}` as a {short}")


@dataclass(frozen=True)
class Scalar:
    """A resolved scalar: its tag, value and literal text."""

    tag: str
    value: Any
    text: str


def scalar(node: Node) -> Scalar:
    tag, value = resolve(node)
    return Scalar(tag, value, node.value)


def node_tag_for_error(node: Node) -> str:
    """The tag yaml.v2 names in 'cannot unmarshal <tag> ...' messages."""
    explicit = explicit_tag(node)
    if isinstance(node, MappingNode):
        return explicit or MAP
    if isinstance(node, SequenceNode):
        return explicit or SEQ
    return explicit or resolve(node)[0]


_SURROGATE = re.compile("[\ud800-\udfff]")


def alias_problem(root: Node, limit: int = 1_000_000) -> tuple[Node, str] | None:
    """A self-containing anchor, an alias bomb or a surrogate escape, which yaml.v2 refuses; else None."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def children(node: Node) -> list[Node]:
        if isinstance(node, MappingNode):
            return [n for pair in node.value for n in pair]
        if isinstance(node, SequenceNode):
            return list(node.value)
        return []

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if isinstance(node, ScalarNode) and _SURROGATE.search(node.value):
            # PyYAML decodes "\ud800" escapes to lone surrogates; libyaml refuses them.
            raise FatalYAMLError(node, "yaml: found invalid Unicode character escape code")
        if key in on_path:
            raise FatalYAMLError(node, "anchor value contains itself")
        on_path.add(key)
        total = 1 + sum(size(child) for child in children(node))
        on_path.discard(key)
        if total > limit:
            raise FatalYAMLError(node, "document contains excessive aliasing")
        sizes[key] = total
        return total

    try:
        size(root)
    except FatalYAMLError as err:
        return (err.node or root), err.reason
    except RecursionError:
        return root, "document nesting is too deep"
    return None
