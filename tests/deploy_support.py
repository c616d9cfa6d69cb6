"""The operations files under deploy/ and docs/ as the tests read them: alert rules, the
runbook's section anchors, the dashboard's PromQL expressions and the metric names in them."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from frontdesk.observability import metrics

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "deploy" / "prometheus" / "rules.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "tests"
RUNBOOK = ROOT / "docs" / "runbook.md"
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "frontdesk.json"


def require_promtool() -> str:
    """promtool's path; outside CI a missing binary skips, in CI it fails (never silently)."""
    found = shutil.which("promtool")
    if found is not None:
        return found
    reason = "promtool not found (apt-get install -y prometheus)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def alert_rules() -> list[dict[str, Any]]:
    loaded = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in loaded["groups"] for rule in group["rules"] if "alert" in rule]


def slug(heading: str) -> str:
    """The anchor GitHub (and most Markdown renderers) give a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def runbook_anchors() -> set[str]:
    """The anchors of the runbook's headings (not of comments in its code blocks)."""
    text = re.sub(r"^```.*?^```", "", RUNBOOK.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {slug(m[1]) for m in re.finditer(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def panel_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL expression) of every target of every panel."""
    return [
        (panel["title"], target["expr"])
        for panel in dashboard()["panels"]
        for target in panel.get("targets", [])
    ]


# PromQL words that look like metric names but are functions, aggregations or keywords.
_PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "rate", "irate", "increase", "by", "without", "on",
    "ignoring", "group_left", "group_right", "and", "or", "unless", "histogram_quantile",
    "clamp_min", "clamp_max", "vector", "scalar", "time", "bool", "offset", "topk", "bottomk",
    "abs", "label_replace", "le",
}  # fmt: skip


def metric_selectors(expr: str) -> list[tuple[str, set[str]]]:
    """Each metric an expression reads, with the label names it matches on or groups by.
    Range durations ([5m]), strings and numbers are no metrics."""
    cleaned = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    cleaned = re.sub(r"\[[^\]]*\]", "", cleaned)
    found: list[tuple[str, set[str]]] = []
    clause = r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)"
    grouping = {
        label.strip()
        for group in re.findall(clause, cleaned)
        for label in group.split(",")
        if label.strip()
    }
    cleaned = re.sub(clause, " ", cleaned)
    for match in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?", cleaned):
        name, matchers = match[1], match[2] or ""
        if name in _PROMQL_WORDS or re.fullmatch(r"\d.*", name):
            continue
        if cleaned[match.end() :].lstrip().startswith("(") and not matchers:
            continue  # a function call
        labels = set(re.findall(r"([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)", matchers))
        found.append((name, labels | grouping))
    return found


def exported() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every metric of observability/metrics.py: its exposed name, type and label names."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            kind = str(value._type)
            name = value._name + ("_total" if kind == "counter" else "")
            found[name] = (kind, tuple(value._labelnames))
    return found


def known_series() -> dict[str, set[str]]:
    """Every series name a query may read, with its labels (a histogram's _bucket, _sum and
    _count; _bucket adds ``le``)."""
    known: dict[str, set[str]] = {}
    for name, (kind, labels) in exported().items():
        if kind == "histogram":
            known[name + "_bucket"] = {*labels, "le"}
            known[name + "_sum"] = set(labels)
            known[name + "_count"] = set(labels)
        else:
            known[name] = set(labels)
    return known
