"""Alertmanager 0.25's matcher syntax (`pkg/labels/parse.go`): `{a="b", c=~"d"}` and bare `a=b`.

Used by `matchers:` lists in alertmanager.yml, the API's `filter` parameters and the CLI.
"""

from __future__ import annotations

import re

from erpmon.model import Matcher, MatchType, RegexError

# Go's RE2 `\s` is ASCII whitespace only and `$` is the end of the text (Python's `$` also matches
# before a final newline), so both are spelled out.
_WS = r"[\t\n\f\r ]*"
_MATCHER = re.compile(rf"{_WS}([a-zA-Z_:][a-zA-Z0-9_:]*){_WS}(=~|=|!=|!~){_WS}(.*?){_WS}\Z", re.S)
# strings.TrimSpace: Unicode White_Space, which is narrower than str.strip()'s set.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_TYPES = {"=": MatchType.EQUAL, "!=": MatchType.NOT_EQUAL, "=~": MatchType.REGEX, "!~": MatchType.NOT_REGEX}


class MatcherParseError(ValueError):
    """A matcher string Alertmanager would refuse; the message is 0.25's."""


def parse_matchers(text: str) -> list[Matcher]:
    """`labels.ParseMatchers`: split on commas outside quotes, then parse each matcher."""
    text = text.removeprefix("{").removesuffix("}")
    tokens: list[str] = []
    token: list[str] = []
    inside = escaped = False
    for ch in text:
        if ch == "," and not inside:
            tokens.append("".join(token))
            token = []
            continue
        if ch == '"':
            if not escaped:
                inside = not inside
            else:
                escaped = False
        elif ch == "\\":
            escaped = not escaped
        else:
            escaped = False
        token.append(ch)
    last = "".join(token).strip(_GO_SPACE)
    if last:
        tokens.append(last)
    return [parse_matcher(t) for t in tokens]


def parse_matcher(text: str) -> Matcher:
    """`labels.ParseMatcher`: one `name op value`, the value optionally double-quoted."""
    m = _MATCHER.match(text)
    if m is None:
        raise MatcherParseError(f"bad matcher format: {text}")
    raw = m.group(3)
    quoted = raw.startswith('"')
    if quoted:
        raw = raw[1:]
    raw_bytes_len = len(raw.encode())
    out: list[str] = []
    escaped = False
    pos = 0  # byte offset, as Go's range over a string gives
    for ch in raw:
        at, pos = pos, pos + len(ch.encode())
        if escaped:
            escaped = False
            out.append({"n": "\n", '"': '"', "\\": "\\"}.get(ch, "\\" + ch))
            continue
        if ch == "\\":
            if at < raw_bytes_len - 1:
                escaped = True
                continue
            out.append("\\")
        elif ch == '"':
            if not quoted or at < raw_bytes_len - 1:
                raise MatcherParseError(f"matcher value contains unescaped double quote: {m.group(3)}")
            quoted = False
        else:
            out.append(ch)
    if quoted:
        raise MatcherParseError(f"matcher value contains unescaped double quote: {m.group(3)}")
    try:
        return Matcher(_TYPES[m.group(2)], m.group(1), "".join(out))
    except RegexError as err:
        raise MatcherParseError(str(err)) from err
