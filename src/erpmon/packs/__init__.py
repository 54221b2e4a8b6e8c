"""Monitoring packs: rule files, scrape configurations and their tests, shipped as package data.

Owns: one sub-package per monitored product (`erpmon.packs.erpgo`), each a folder of YAML data
with a README and helpers that locate the files.
Reads from: nothing at import; the files are read by whoever loads them (erpmon's config and rule
loaders, promtool, the tests).
Hands on: paths to `cli` (which loads them like any prometheus.yml or rule file) and to tests.
"""
