"""Entry point of the `erpmon` console script: flags in Prometheus's spelling, sub-commands."""

from __future__ import annotations

import argparse
import sys

from erpmon import __version__
from erpmon.cli._logging import LEVELS, setup_logging

# Flags whose names Prometheus users already know; argparse keeps the dots in the option string.
UP_FLAGS: list[tuple[str, dict[str, object]]] = [
    (
        "--config.file",
        {
            "dest": "config_file",
            "default": "",
            "help": "Prometheus configuration file (default: built-in: scrape erpmon and the host).",
        },
    ),
    (
        "--web.listen-address",
        {
            "dest": "listen_address",
            "default": "0.0.0.0:9090",
            "help": "Address to listen on for the UI, API and telemetry.",
        },
    ),
    (
        "--web.enable-lifecycle",
        {
            "dest": "enable_lifecycle",
            "action": argparse.BooleanOptionalAction,
            "default": False,
            "help": "Enable reload via HTTP (POST /-/reload).",
        },
    ),
    (
        "--storage.tsdb.path",
        {"dest": "storage_tsdb_path", "default": "data/", "help": "Base path for metrics storage."},
    ),
    (
        "--storage.tsdb.retention.time",
        {"dest": "retention_time", "default": "15d", "help": "How long to retain samples in storage."},
    ),
    (
        "--storage.tsdb.retention.size",
        {
            "dest": "retention_size",
            "default": "0B",
            "help": "Maximum number of bytes of storage blocks and WAL (e.g. 512MB); 0 disables.",
        },
    ),
    (
        "--storage.tsdb.wal-fsync",
        {
            "dest": "wal_fsync",
            "default": "interval",
            "choices": ["always", "interval", "never"],
            "help": "When the WAL is fsynced: each commit, at most once a second, or never (the OS decides).",
        },
    ),
    (
        "--collector.host",
        {
            "dest": "host_collector",
            "action": argparse.BooleanOptionalAction,
            "default": True,
            "help": "Serve host metrics (node_exporter names) at /node/metrics.",
        },
    ),
    (
        "--query.lookback-delta",
        {
            "dest": "lookback_delta",
            "default": "5m",
            "help": "How far back to look for a series' latest sample.",
        },
    ),
    ("--query.timeout", {"dest": "query_timeout", "default": "2m", "help": "Maximum time a query may take."}),
    (
        "--query.max-samples",
        {
            "dest": "query_max_samples",
            "type": int,
            "default": 50_000_000,
            "help": "Maximum samples a query may load.",
        },
    ),
    (
        "--query.max-concurrency",
        {"dest": "query_max_concurrency", "type": int, "default": 20, "help": "Maximum queries run at once."},
    ),
    (
        "--web.external-url",
        {
            "dest": "external_url",
            "default": "",
            "help": "The URL under which erpmon is reached (alert links, $externalURL); "
            "default http://<hostname>:<port>/.",
        },
    ),
    (
        "--rules.alert.for-outage-tolerance",
        {
            "dest": "for_outage_tolerance",
            "default": "1h",
            "help": "Max time to tolerate an outage for restoring the 'for' state of alerts.",
        },
    ),
    (
        "--rules.alert.for-grace-period",
        {
            "dest": "for_grace_period",
            "default": "10m",
            "help": "Minimum duration between an alert and its restored 'for' state; "
            "only for alerts with a 'for' at least this long.",
        },
    ),
    (
        "--rules.alert.resend-delay",
        {
            "dest": "resend_delay",
            "default": "1m",
            "help": "Minimum time to wait before resending an alert to Alertmanager.",
        },
    ),
    (
        "--alertmanager.config.file",
        {
            "dest": "alertmanager_config_file",
            "default": "",
            "help": "alertmanager.yml for the embedded Alertmanager (routing, receivers, the "
            "/api/v2 API); without it rule alerts go only to alerting.alertmanagers.",
        },
    ),
    (
        "--alertmanager.config.expand-env",
        {
            "dest": "alertmanager_config_expand_env",
            "action": "store_true",
            "help": "Expand ${VAR} in alertmanager.yml from the environment (for secrets).",
        },
    ),
    (
        "--alertmanager.storage.path",
        {
            "dest": "alertmanager_storage_path",
            "default": "",
            "help": "Where silences and the notification log live; default <storage.tsdb.path>/alertmanager.",
        },
    ),
    (
        "--alertmanager.notification-queue-capacity",
        {
            "dest": "notification_queue_capacity",
            "type": int,
            "default": 10000,
            "help": "The capacity of the queue for alerts sent to external Alertmanagers.",
        },
    ),
    (
        "--incidents.config.file",
        {
            "dest": "incidents_config_file",
            "default": "",
            "help": "incidents.yml: which alert groups open incidents, escalation policies, on-call "
            "schedules, actions and the status page (needs --alertmanager.config.file).",
        },
    ),
    (
        "--incidents.storage.path",
        {
            "dest": "incidents_storage_path",
            "default": "",
            "help": "Where incidents.db and incident-response.log live; "
            "default <storage.tsdb.path>/incidents.",
        },
    ),
    (
        "--checks.config.file",
        {
            "dest": "checks_config_file",
            "default": "",
            "help": "checks.yml: health checks and probes to run on schedule (probe_success, "
            "erpmon_check_*, erpgo_system_health_score on /metrics; state on /api/v1/checks).",
        },
    ),
    (
        "--web.api-token-file",
        {
            "dest": "api_token_file",
            "default": "",
            "help": "File with the bearer token that write endpoints (incidents, status page) require; "
            "default $ERPMON_API_TOKEN. Without one, writes are refused.",
        },
    ),
    (
        "--web.notification-inbox",
        {
            "dest": "notification_inbox",
            "action": "store_true",
            "help": "Serve a notification inbox (POST /api/v1/notifications/inbox, "
            "GET /api/v1/notifications, /notifications) that webhook receivers can point at.",
        },
    ),
    ("--log.level", {"dest": "log_level", "default": "info", "choices": list(LEVELS)}),
    ("--log.format", {"dest": "log_format", "default": "logfmt", "choices": ["logfmt", "json"]}),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="erpmon", description="Monitoring and alerting for ERPGo, Prometheus-compatible."
    )
    parser.add_argument("--version", action="version", version=f"erpmon {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="Run the server: scraping, storage and the HTTP API.")
    for flag, opts in UP_FLAGS:
        up.add_argument(flag, **opts)  # type: ignore[arg-type]

    check = sub.add_parser("check", help="Check configuration files (promtool check's counterpart).")
    check_sub = check.add_subparsers(dest="check_command", required=True)
    cc = check_sub.add_parser("config", help="Check prometheus.yml files.")
    cc.add_argument("config_files", nargs="+", metavar="CONFIG-FILES")
    cc.add_argument(
        "--syntax-only", action="store_true", help="Only check the syntax; do not read referenced files."
    )
    from erpmon.cli._health import add_health_commands

    add_health_commands(check_sub)

    from erpmon.cli._alerts import add_alerts_commands
    from erpmon.cli._demo import add_demo_commands
    from erpmon.cli._incidents import add_incidents_commands
    from erpmon.cli._query import add_query_commands
    from erpmon.cli._rules import add_rules_commands
    from erpmon.cli._tsdb import add_tsdb_commands

    add_tsdb_commands(sub)
    add_query_commands(sub)
    add_rules_commands(sub)
    add_alerts_commands(sub)
    add_incidents_commands(sub)
    add_demo_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "up":
        setup_logging(args.log_level, args.log_format)
        from erpmon.cli._up import prepare_up_args, run_up

        try:
            prepare_up_args(args, parser)
        except ValueError as err:
            print(f"erpmon: error: {err}", file=sys.stderr)
            return 1
        return run_up(args)
    setup_logging("warn")
    if args.command == "check" and args.check_command != "config":
        from erpmon.cli._health import run_health

        return run_health(args)
    if args.command == "check":
        from erpmon.cli._check import check_config

        return check_config(args.config_files, syntax_only=args.syntax_only)
    if args.command == "query":
        from erpmon.cli._query import run_query

        return run_query(args)
    if args.command == "rules":
        from erpmon.cli._rules import run_rules

        return run_rules(args)
    if args.command == "alerts":
        from erpmon.cli._alerts import run_alerts

        return run_alerts(args)
    if args.command == "erpgo":
        from erpmon.cli._demo import run_erpgo

        return run_erpgo(args)
    if args.command == "demo":
        from erpmon.cli._demo import run_demo

        return run_demo(args)
    if args.command == "incidents":
        from erpmon.cli._incidents import run_incidents

        return run_incidents(args)
    if args.command == "oncall":
        from erpmon.cli._incidents import run_oncall

        return run_oncall(args)
    if args.command == "tsdb":
        from erpmon.cli._tsdb import run_tsdb

        return run_tsdb(args)
    parser.error(f"unknown command {args.command}")
    return 2
