import pytest

from erpmon.config import ScrapeConfig, TargetError, format_duration, populate_target
from erpmon.model import Labels
from erpmon.relabel import RelabelConfig
from erpmon.scrape import Target

SETTINGS = ScrapeConfig(job_name="api", scrape_interval_ms=15_000, scrape_timeout_ms=10_000)


def test_defaults_port_and_instance() -> None:
    lset, pre = populate_target({"__address__": "api.local", "__meta_x": "1"}, SETTINGS)
    assert lset is not None
    assert lset.to_dict() == {
        "__address__": "api.local:80",
        "__metrics_path__": "/metrics",
        "__scheme__": "http",
        "__scrape_interval__": "15s",
        "__scrape_timeout__": "10s",
        "instance": "api.local:80",
        "job": "api",
    }
    assert pre.get("__meta_x") == "1"


def test_https_gets_443_and_ipv6_keeps_brackets() -> None:
    https = ScrapeConfig("j", 15_000, 10_000, scheme="https")
    lset, _ = populate_target({"__address__": "[::1]"}, https)
    assert lset is not None and lset.get("__address__") == "[::1]:443"


def test_relabel_can_drop_or_rewrite_the_target() -> None:
    settings = ScrapeConfig(
        "j",
        15_000,
        10_000,
        relabel_configs=(
            RelabelConfig(source_labels=("env",), regex="dev", action="drop"),
            RelabelConfig(
                source_labels=("__address__",), regex="(.*):.*", target_label="host", replacement="$1"
            ),
        ),
    )
    dropped, pre = populate_target({"__address__": "a:1", "env": "dev"}, settings)
    assert dropped is None and pre.get("env") == "dev"
    kept, _ = populate_target({"__address__": "a:1", "env": "prod"}, settings)
    assert kept is not None and kept.get("host") == "a"


def test_errors() -> None:
    blank = ScrapeConfig(
        "j", 15_000, 10_000, relabel_configs=(RelabelConfig(target_label="__address__", replacement=""),)
    )
    with pytest.raises(TargetError, match="no address"):
        populate_target({"__address__": "a:1"}, blank)
    with pytest.raises(TargetError, match="scrape timeout cannot be greater than scrape interval"):
        populate_target({"__address__": "a:1", "__scrape_timeout__": "1m"}, SETTINGS)


def test_url_merges_params_and_param_labels_sorted() -> None:
    settings = ScrapeConfig("j", 15_000, 10_000, params={"module": ("http_2xx",), "b": ("1", "2")})
    lset, _ = populate_target({"__address__": "probe:9115", "__param_target": "x y"}, settings)
    assert lset is not None
    t = Target(lset, Labels(), settings.params)
    assert t.url() == "http://probe:9115/metrics?b=1&b=2&module=http_2xx&target=x+y"
    assert t.public_labels.to_dict() == {"instance": "probe:9115", "job": "j"}


@pytest.mark.parametrize(
    ("ms", "text"), [(0, "0s"), (15_000, "15s"), (90_000, "1m30s"), (86_400_000, "1d"), (1500, "1s500ms")]
)
def test_format_duration(ms: int, text: str) -> None:
    assert format_duration(ms) == text
