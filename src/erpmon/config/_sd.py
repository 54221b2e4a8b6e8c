"""Service discovery mechanisms Prometheus 2.42 registers that erpmon does not implement.

Their sections are accepted when each entry is a mapping (Prometheus's own checks of their fields
are not repeated) and each use is recorded as a warning on the loaded config.
"""

from __future__ import annotations

from collections.abc import Mapping

from erpmon.config._decode import Decoder
from erpmon.config._yamlnode import MappingNode, Node, is_null

# Every `<name>_sd_configs` key of Prometheus 2.42 besides static_configs and file_sd_configs.
UNSUPPORTED_SD = (
    "azure",
    "consul",
    "digitalocean",
    "dns",
    "docker",
    "dockerswarm",
    "ec2",
    "eureka",
    "gce",
    "hetzner",
    "http",
    "ionos",
    "kubernetes",
    "kuma",
    "lightsail",
    "linode",
    "marathon",
    "nerve",
    "nomad",
    "openstack",
    "ovhcloud",
    "puppetdb",
    "scaleway",
    "serverset",
    "triton",
    "uyuni",
    "vultr",
)
UNSUPPORTED_SD_KEYS = tuple(f"{name}_sd_configs" for name in UNSUPPORTED_SD)


def decode_unsupported_sd(dec: Decoder, f: Mapping[str, Node], where: str) -> tuple[str, ...]:
    """The unsupported SD keys present in `f` (each checked to be a list of mappings and warned about)."""
    present = []
    for key in UNSUPPORTED_SD_KEYS:
        node = f.get(key)
        if node is None:
            continue
        name = key.removesuffix("_sd_configs")
        mark = dec.mark()

        def item(child: Node, key: str = key, name: str = name) -> Node | None:
            if is_null(child):
                dec.error(child, f"empty or null section in {key}")
                return None
            if not isinstance(child, MappingNode):
                dec.terror(child, f"{name}.plain")
                return None
            return child

        entries = dec.sequence(node, item, f"[]*{name}.SDConfig")
        if dec.clean(mark) and entries:
            present.append(name)
            dec.warn(
                node, f"{key} in {where}: not implemented by erpmon; accepted without validating its fields"
            )
    return tuple(present)
