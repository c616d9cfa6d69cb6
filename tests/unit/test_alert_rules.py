"""The alert rules (deploy/prometheus/rules.yml): valid for Prometheus, their promtool unit tests
green, every alert tested firing, and every alert's runbook section present in docs/runbook.md."""

from __future__ import annotations

import subprocess

import yaml
from tests.deploy_support import (
    RULE_TESTS,
    RULES,
    alert_rules,
    known_series,
    metric_selectors,
    require_promtool,
    runbook_anchors,
)
from tests.e2e_support import real_clock_env


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = require_promtool()
    return subprocess.run(
        [binary, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=real_clock_env(),
        check=False,
    )


def test_the_rules_are_valid() -> None:
    result = promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rules_unit_tests_pass() -> None:
    files = sorted(str(path) for path in RULE_TESTS.glob("*.yml"))
    assert files
    result = promtool("test", "rules", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing() -> None:
    fired: set[str] = set()
    for path in RULE_TESTS.glob("*.yml"):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]:
            for check in case.get("alert_rule_test", []):
                if check.get("exp_alerts"):
                    fired.add(check["alertname"])
    assert {rule["alert"] for rule in alert_rules()} == fired


def test_every_alert_names_a_runbook_section_that_exists() -> None:
    anchors = runbook_anchors()
    for rule in alert_rules():
        url = rule["annotations"]["runbook_url"]
        page, _, anchor = url.partition("#")
        assert page == "docs/runbook.md", rule["alert"]
        assert anchor in anchors, f"{rule['alert']}: no section #{anchor} in docs/runbook.md"


def test_every_alert_reads_metrics_that_exist() -> None:
    known = known_series()
    scrape = {"instance", "job"}  # added by Prometheus to every scraped series
    for rule in alert_rules():
        for name, labels in metric_selectors(rule["expr"]):
            if name == "up":
                continue  # Prometheus' own series of each scrape target
            assert name in known, f"{rule['alert']} reads {name}, which is not exported"
            assert labels <= known[name] | scrape, (rule["alert"], name, labels - known[name])
