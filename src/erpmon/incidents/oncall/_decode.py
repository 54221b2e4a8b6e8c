"""A schedule in incidents.yml: its time zone, layers (rotation, handoff, start, members,
restrictions in Alertmanager's time_interval syntax) and overrides, each problem with its line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yaml import MappingNode, ScalarNode, SequenceNode

from erpmon.alerting.timeinterval import TimeInterval, decode_time_interval
from erpmon.config._decode import Decoder
from erpmon.config._yamlnode import Node, is_null
from erpmon.incidents.oncall._schedule import Layer, Override, Schedule

_HANDOFF = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]\Z")
_DAYS = re.compile(r"([1-9][0-9]*)d\Z")


def _seq(dec: Decoder, node: Node | None) -> list[Node]:
    if node is None or is_null(node):
        return []
    if not isinstance(node, SequenceNode):
        dec.error(node, "expected a list")
        return []
    return list(node.value)


def _rotation(dec: Decoder, node: Node | None) -> int:
    text = dec.string(node, "weekly")
    if text == "daily":
        return 1
    if text == "weekly":
        return 7
    m = _DAYS.match(text)
    if m is None:
        dec.error(node, f"invalid rotation {text!r}: want daily, weekly or <N>d")
        return 7
    return int(m.group(1))


def _time(dec: Decoder, node: Node | None) -> int | None:
    text = dec.string(node)
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        t = None
    if t is None or t.tzinfo is None:
        dec.error(node, f"invalid time {text!r}: want RFC 3339 with a zone offset or Z")
        return None
    return int(t.timestamp() * 1000)


def _restriction(dec: Decoder, node: Node, zone: str) -> TimeInterval | None:
    interval = decode_time_interval(dec, node)
    if interval is None:
        return None
    has_location = isinstance(node, MappingNode) and any(
        isinstance(k, ScalarNode) and k.value == "location" for k, _ in node.value
    )
    if has_location:
        return interval
    return TimeInterval(
        interval.times, interval.weekdays, interval.days_of_month, interval.months, interval.years, zone
    )


def decode_schedule(dec: Decoder, node: Node, people: Collection[str]) -> Schedule | None:
    f = dec.fields(node, "schedule", ("name", "time_zone", "layers", "overrides"))
    if f is None:
        return None
    name = dec.string(f.get("name"))
    if not name:
        dec.error(node, "missing name in schedule")
    zone = dec.string(f.get("time_zone"))
    if not zone:
        dec.error(node, f"schedule {name!r} needs a time_zone")
        zone = "UTC"
    else:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            dec.error(f.get("time_zone"), f"unknown time zone {zone!r} in schedule {name!r}")
            zone = "UTC"

    def person(pnode: Node | None, who: str) -> None:
        if who not in people:
            dec.error(pnode, f'unknown person "{who}" in schedule "{name}"')

    layers: list[Layer] = []
    for i, lnode in enumerate(_seq(dec, f.get("layers")), 1):
        lf = dec.fields(lnode, "layer", ("name", "rotation", "handoff", "start", "members", "restrict_to"))
        if lf is None:
            continue
        handoff_text = dec.string(lf.get("handoff"), "00:00")
        handoff = dt.time(0, 0)
        if _HANDOFF.match(handoff_text):
            handoff = dt.time(int(handoff_text[:2]), int(handoff_text[3:]))
        else:
            dec.error(lf.get("handoff"), f"invalid handoff {handoff_text!r}: want HH:MM")
        start = dt.date(1970, 1, 1)
        if "start" not in lf:
            dec.error(lnode, f"a layer of schedule {name!r} needs a start date")
        else:
            text = dec.string(lf["start"])
            try:
                start = dt.date.fromisoformat(text)
            except ValueError:
                dec.error(lf["start"], f"invalid start {text!r}: want YYYY-MM-DD")
        members = dec.string_list(lf.get("members")) or []
        if not members:
            dec.error(lnode, f"a layer of schedule {name!r} needs members")
        for m in members:
            person(lf.get("members"), m)
        restrictions = tuple(
            r
            for rnode in _seq(dec, lf.get("restrict_to"))
            if (r := _restriction(dec, rnode, zone)) is not None
        )
        layer_name = dec.string(lf.get("name")) or f"layer-{i}"
        layers.append(
            Layer(
                layer_name, tuple(members), _rotation(dec, lf.get("rotation")), handoff, start, restrictions
            )
        )
    if not layers:
        dec.error(node, f"schedule {name!r} needs at least one layer")
    overrides: list[Override] = []
    for onode in _seq(dec, f.get("overrides")):
        of = dec.fields(onode, "override", ("person", "start", "end"))
        if of is None:
            continue
        who = dec.string(of.get("person"))
        person(of.get("person") or onode, who)
        begin, end = _time(dec, of.get("start")), _time(dec, of.get("end"))
        if begin is not None and end is not None:
            if end <= begin:
                dec.error(of.get("end"), "an override's end must be after its start")
            overrides.append(Override(who, begin, end))
    return Schedule(name, zone, tuple(layers), tuple(overrides))
