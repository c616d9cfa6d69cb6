"""The deployment files under deploy/: systemd units that systemd accepts and that start real
CLI commands with options the CLI accepts, an environment example with only known settings and
no real secrets, and a Caddyfile Caddy accepts."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from tests.deploy_support import ROOT
from tests.services_support import CI

from frontdesk.cli import app
from frontdesk.settings import Settings

SYSTEMD = ROOT / "deploy" / "systemd"
UNITS = sorted(SYSTEMD.glob("*.service")) + sorted(SYSTEMD.glob("*.timer"))
ENV_EXAMPLE = SYSTEMD / "frontdesk.env.example"
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
INSTALL = "/opt/frontdesk"
CLI = f"{INSTALL}/.venv/bin/frontdesk"
# This checkout's entry point (``make venv`` installs it next to the interpreter).
CLI_HERE = Path(sys.executable).with_name("frontdesk")


def require(tool: str) -> str:
    found = shutil.which(tool)
    if found is not None:
        return found
    if CI:
        pytest.fail(f"{tool} not found (CI=true)")
    pytest.skip(f"{tool} not found")


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def commands(path: Path) -> list[list[str]]:
    service = unit(path)["Service"]
    return [shlex.split(service[key]) for key in ("ExecStartPre", "ExecStart") if key in service]


def test_the_expected_units_exist() -> None:
    assert [u.name for u in UNITS] == [
        "frontdesk-backup.service",
        "frontdesk-serve.service",
        "frontdesk-worker.service",
        "frontdesk-backup.timer",
    ]


@pytest.mark.parametrize("path", [u for u in UNITS if "backup" not in u.name], ids=lambda p: p.name)
def test_services_start_real_cli_commands(path: Path) -> None:
    """Every command line is one the installed CLI parses (subcommand and options)."""
    root = typer.main.get_command(app)
    found = commands(path)
    assert found, "no ExecStart"
    for argv in found:
        assert argv[0] == CLI
        context = root.make_context("frontdesk", argv[1:])
        command = root.get_command(context, argv[1])  # type: ignore[attr-defined]
        assert command is not None, argv
        command.make_context(argv[1], argv[2:], parent=context)  # raises on an unknown option
    assert [argv[1] for argv in found] == ["serve" if "serve" in path.name else "worker"]


def test_serving_units_are_hardened() -> None:
    for name in ("frontdesk-serve.service", "frontdesk-worker.service"):
        service = unit(SYSTEMD / name)["Service"]
        assert service["User"] == "frontdesk"
        assert service["EnvironmentFile"] == "/etc/frontdesk/frontdesk.env"
        for key, value in {
            "NoNewPrivileges": "yes",
            "ProtectSystem": "strict",
            "ProtectHome": "yes",
            "PrivateTmp": "yes",
            "CapabilityBoundingSet": "",
        }.items():
            assert service[key] == value, (name, key)


def test_the_backup_timer_starts_the_backup_script() -> None:
    timer = unit(SYSTEMD / "frontdesk-backup.timer")
    assert timer["Timer"]["Unit"] == "frontdesk-backup.service"
    assert timer["Timer"]["Persistent"] == "true"
    (argv,) = commands(SYSTEMD / "frontdesk-backup.service")
    script = ROOT / argv[0].removeprefix(f"{INSTALL}/")
    assert script.is_file()
    assert script.stat().st_mode & 0o111, "not executable"


def _installed_here(path: Path, into: Path) -> Path:
    """The unit with the paths of this checkout instead of /opt/frontdesk and /etc/frontdesk,
    so that systemd can check that every program exists."""
    text = path.read_text(encoding="utf-8")
    text = text.replace(CLI, str(CLI_HERE))
    text = text.replace(f"{INSTALL}/deploy", str(ROOT / "deploy"))
    text = text.replace("/etc/frontdesk/frontdesk.env", str(ENV_EXAMPLE))
    copy = into / path.name
    copy.write_text(text, encoding="utf-8")
    return copy


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    tool = require("systemd-analyze")
    assert CLI_HERE.is_file(), "the frontdesk entry point is installed next to the interpreter"
    copies = [_installed_here(u, tmp_path) for u in UNITS]
    result = subprocess.run(
        [tool, "verify", *map(str, copies)], capture_output=True, text=True, timeout=120
    )
    # Unknown keys and bad values are warnings on stderr, a missing program an error.
    assert (result.returncode, result.stderr.strip()) == (0, "")


def test_the_environment_example_has_known_settings_and_no_secrets() -> None:
    lines = [
        line.strip()
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    values = dict(line.split("=", 1) for line in lines)
    known = {f"FRONTDESK_{name.upper()}" for name in Settings.model_fields}
    assert set(values) <= known, set(values) - known
    for key in ("FRONTDESK_SECRET_KEY", "FRONTDESK_DATABASE_URL"):
        assert "CHANGE-ME" in values[key]
    settings = Settings(_env_file=ENV_EXAMPLE)  # type: ignore[call-arg]
    assert settings.base_url.startswith("https://")
    assert settings.embedded_worker is False


def test_caddy_accepts_the_reverse_proxy_config() -> None:
    caddy = require("caddy")
    result = subprocess.run(
        [caddy, "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr
    text = CADDYFILE.read_text(encoding="utf-8")
    assert "reverse_proxy 127.0.0.1:8000" in text
    assert "health_uri /readyz" in text
