"""docs/metrics.md lists every metric of the registry, with its type and labels, and nothing else:
the catalogue the dashboard and alerts are written against cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

from tests.deploy_support import exported

from frontdesk.observability import metrics

CATALOGUE = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"
ROW = re.compile(r"^\| `(?P<name>frontdesk_[a-z_]+)` \| (?P<type>\w+) \| (?P<labels>[^|]*) \|")


def documented() -> dict[str, tuple[str, tuple[str, ...]]]:
    rows: dict[str, tuple[str, tuple[str, ...]]] = {}
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match is None:
            continue
        labels = tuple(re.findall(r"`([a-z_]+)`", match["labels"]))
        assert match["name"] not in rows, f"{match['name']} is listed twice"
        rows[match["name"]] = (match["type"], labels)
    return rows


def test_every_metric_is_in_the_catalogue_with_its_type_and_labels() -> None:
    assert documented() == exported()


def test_no_other_module_defines_a_metric_outside_the_catalogue() -> None:
    source = Path(metrics.__file__).resolve().parents[1]
    defining = [
        path.relative_to(source).as_posix()
        for path in source.rglob("*.py")
        if re.search(
            r"^(from|import) prometheus_client",
            path.read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    ]
    assert defining == ["observability/metrics.py"]
