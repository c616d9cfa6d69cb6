"""The Grafana files under deploy/grafana/ fit together: every panel reads the provisioned
datasource, panel ids are unique, and the dashboard provider is a file provider."""

from __future__ import annotations

import yaml
from tests.deploy_support import GRAFANA, dashboard


def test_every_panel_uses_the_provisioned_datasource() -> None:
    files = sorted((GRAFANA / "provisioning" / "datasources").glob("*.yaml"))
    sources = [s for f in files for s in yaml.safe_load(f.read_text("utf-8"))["datasources"]]
    uids = {s["uid"] for s in sources if s["type"] == "prometheus"}
    assert len(uids) == 1
    panels = dashboard()["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    for panel in panels:
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] in uids, panel["title"]
        assert all(t["datasource"]["uid"] in uids for t in panel["targets"]), panel["title"]


def test_the_dashboards_are_provisioned_from_files() -> None:
    files = sorted((GRAFANA / "provisioning" / "dashboards").glob("*.yaml"))
    providers = [p for f in files for p in yaml.safe_load(f.read_text("utf-8"))["providers"]]
    assert [p["type"] for p in providers] == ["file"]
    assert dashboard()["uid"] == "frontdesk"
