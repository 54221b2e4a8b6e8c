"""Receivers and their integrations' settings (placeholder until the integrations land)."""

from __future__ import annotations

from dataclasses import dataclass

from erpmon.config._decode import Decoder
from erpmon.config._yamlnode import Node


@dataclass(frozen=True)
class ReceiverConfig:
    name: str


def decode_receiver(dec: Decoder, node: Node, glob: object, base_dir: str) -> ReceiverConfig | None:
    f = dec.fields(node, "config.Receiver", ("name",))
    if f is None:
        return None
    return ReceiverConfig(dec.string(f.get("name")))
