"""`relabel()`: apply relabel steps to a label set with Prometheus 2.42's exact semantics."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from erpmon.model import Labels, is_valid_label_name
from erpmon.relabel._config import Action, RelabelConfig
from erpmon.relabel._regex import expand

# Characters whose full Unicode upper case is several characters but whose simple mapping (what Go's
# unicode.ToUpper uses) is one other character.
_SIMPLE_UPPER = {"\u1fb3": "\u1fbc", "\u1fc3": "\u1fcc", "\u1ff3": "\u1ffc"}


def go_upper(s: str) -> str:
    """Go's strings.ToUpper: per-character simple case mapping (so 'ß' stays 'ß')."""
    if s.isascii():
        return s.upper()
    out = []
    for ch in s:
        up = ch.upper()
        if len(up) != 1:
            code = ord(ch)
            up = chr(code | 0x08) if 0x1F80 <= code <= 0x1FAF else _SIMPLE_UPPER.get(ch, ch)
        out.append(up)
    return "".join(out)


def go_lower(s: str) -> str:
    """Go's strings.ToLower: per-character simple case mapping (so 'İ' becomes 'i')."""
    if s.isascii():
        return s.lower()
    out = []
    for ch in s:
        low = ch.lower()
        if len(low) != 1:
            low = "i" if ch == "\u0130" else ch
        out.append(low)
    return "".join(out)


def hashmod(value: str, modulus: int) -> int:
    """md5 of `value`; its last 8 bytes read big-endian, modulo `modulus` (Prometheus's sum64)."""
    digest = hashlib.md5(value.encode("utf-8"), usedforsecurity=False).digest()
    return int.from_bytes(digest[8:], "big") % modulus


def _set(work: dict[str, str], name: str, value: str) -> None:
    # labels.Builder.Set: an empty value removes the label.
    if value == "":
        work.pop(name, None)
    else:
        work[name] = value


def _step(work: dict[str, str], cfg: RelabelConfig) -> bool:
    """Apply one step to `work` in place; False means the label set is dropped."""
    act = cfg.action
    regex = cfg.compiled
    if act in (Action.LABELMAP, Action.LABELDROP, Action.LABELKEEP):
        for name, value in sorted(work.items()):
            if act is Action.LABELMAP:
                hit = regex.search(name)
                if hit is not None:
                    work[expand(cfg.replacement, regex, hit)] = value
            elif regex.matches(name) == (act is Action.LABELDROP):
                del work[name]
        return True
    val = cfg.separator.join(work.get(n, "") for n in cfg.source_labels)
    if act is Action.DROP:
        return not regex.matches(val)
    if act is Action.KEEP:
        return regex.matches(val)
    if act is Action.DROPEQUAL:
        return work.get(cfg.target_label, "") != val
    if act is Action.KEEPEQUAL:
        return work.get(cfg.target_label, "") == val
    if act is Action.REPLACE:
        hit = regex.search(val)
        if hit is None:
            return True
        target = expand(cfg.target_label, regex, hit)
        res = expand(cfg.replacement, regex, hit) if is_valid_label_name(target) else ""
        if res == "":
            # Prometheus removes the label as written in the config, not the expanded name.
            work.pop(cfg.target_label, None)
        else:
            work[target] = res
    elif act is Action.LOWERCASE:
        _set(work, cfg.target_label, go_lower(val))
    elif act is Action.UPPERCASE:
        _set(work, cfg.target_label, go_upper(val))
    elif act is Action.HASHMOD:
        work[cfg.target_label] = str(hashmod(val, cfg.modulus))
    return True


def relabel(labels: Labels, configs: Sequence[RelabelConfig]) -> Labels | None:
    """Apply `configs` in order; None when a step drops the label set.

    When nothing changes the input comes back (the same object), as Prometheus returns its input.
    """
    if not configs:
        return labels
    original = labels.to_dict()
    work = dict(original)
    for cfg in configs:
        if not _step(work, cfg):
            return None
    return labels if work == original else Labels(work)
