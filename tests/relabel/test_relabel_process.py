"""relabel(): every action and the Go-semantics edges, from the shared case table."""

from __future__ import annotations

from typing import Any

import pytest

from erpmon.model import Labels
from erpmon.relabel import (
    Action,
    RelabelConfig,
    expand,
    go_lower,
    go_upper,
    hashmod,
    relabel,
    relabel_configs,
)


def test_relabel_case(relabel_case: Any, step_config: Any) -> None:
    case = relabel_case
    got = relabel(Labels(case.labels), [step_config(s) for s in case.steps])
    if case.want is None:
        assert got is None
    else:
        assert got is not None
        assert got.to_dict() == case.want


def test_unchanged_returns_input_object() -> None:
    lbls = Labels({"a": "1"})
    assert relabel(lbls, []) is lbls


def test_every_action_is_covered_by_cases(all_case_configs: list[RelabelConfig]) -> None:
    used = {cfg.action for cfg in all_case_configs}
    assert used == set(Action)


def test_hashmod_uses_last_eight_md5_bytes_big_endian() -> None:
    # md5("foo") = acbd18db4cc2f85c edfd4bcc2f849fd4 ... ; the low 8 bytes decide.
    import hashlib

    digest = hashlib.md5(b"foo").digest()
    assert hashmod("foo", (1 << 64) - 1) == int.from_bytes(digest[8:], "big") % ((1 << 64) - 1)
    assert hashmod("foo", 1000) == int.from_bytes(digest[8:], "big") % 1000
    assert 0 <= hashmod("anything", 7) < 7


@pytest.mark.parametrize(
    ("template", "want"),
    [
        ("$1", "ab"),
        ("${1}", "ab"),
        ("$1x", ""),
        ("${1}x", "abx"),
        ("$name", "cd"),
        ("${name}-$2", "cd-cd"),
        ("$$", "$"),
        ("$", "$"),
        ("${1", "${1"),
        ("$-", "$-"),
        ("$9", ""),
        ("$0", "ab;cd"),
        ("$00", ""),
        ("pre$1post", "pre"),
        ("$é", ""),
    ],
)
def test_expand_matches_go(template: str, want: str) -> None:
    cfg = RelabelConfig(regex="(ab);(?P<name>cd)", target_label="t")
    hit = cfg.compiled.search("ab;cd")
    assert expand(template, cfg.compiled, hit) == want


def test_go_case_mapping_is_simple_per_character() -> None:
    assert go_upper("ß") == "ß"
    assert go_upper("ﬁ") == "ﬁ"
    assert go_upper("ᾳ") == "ᾼ"
    assert go_upper("ᾀ") == "ᾈ"
    assert go_lower("İ") == "i"
    assert go_upper("abc") == "ABC"
    assert go_lower("ÀÉ") == "àé"


def test_relabel_configs_builds_from_dicts() -> None:
    cfgs = relabel_configs(
        [{"target_label": "x", "replacement": "y"}, RelabelConfig(action=Action.LABELDROP)]
    )
    assert cfgs[0].target_label == "x"
    assert cfgs[1].action is Action.LABELDROP
    assert relabel(Labels({"a": "1"}), cfgs[:1]) == Labels({"a": "1", "x": "y"})


def test_config_defaults_and_anchoring() -> None:
    cfg = RelabelConfig(target_label="t")
    assert cfg.source_labels == ()
    assert cfg.separator == ";"
    assert cfg.regex == "(.*)"
    assert cfg.replacement == "$1"
    assert cfg.action is Action.REPLACE
    assert cfg.modulus == 0
    keep = RelabelConfig(source_labels=("a",), regex="fo", action=Action.KEEP)
    assert relabel(Labels({"a": "foo"}), [keep]) is None
    assert relabel(Labels({"a": "fo"}), [keep]) == Labels({"a": "fo"})


def test_config_is_frozen_and_hashable() -> None:
    cfg = RelabelConfig(target_label="t")
    with pytest.raises(AttributeError):
        cfg.target_label = "u"  # type: ignore[misc]
    assert hash(cfg) == hash(RelabelConfig(target_label="t"))
    assert cfg == RelabelConfig(target_label="t")


def test_regex_fallback_without_low_level_match() -> None:
    """The wrapper's public search path gives the same results as the fast path."""
    import re2

    from erpmon.relabel._regex import RelabelRegex

    opts = re2.Options()
    opts.log_errors = False
    fallback = RelabelRegex("(?P<a>.)(x)?.", re2.compile(b"^(?:(?P<a>.)(x)?.)$", opts))
    fallback._low = None
    fast = RelabelConfig(regex="(?P<a>.)(x)?.", target_label="t").compiled
    for text in ["ab", "axb", "é1", "abc", ""]:
        got, want = fallback.search(text), fast.search(text)
        assert (got is None) == (want is None)
        if got is not None and want is not None:
            assert [got.group(i) for i in range(3)] == [want.group(i) for i in range(3)]
        assert fallback.matches(text) == fast.matches(text)
