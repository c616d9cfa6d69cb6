"""The local services the tests use — PostgreSQL and Redis on 127.0.0.1 — and brand-new
databases on them. Outside CI a missing server skips the tests that need it; with ``CI=true``
it fails them, so CI can never pass by skipping."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_HOST = os.environ.get("FRONTDESK_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("FRONTDESK_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("FRONTDESK_TEST_PG_USER", "postgres")


def _redis_url() -> str:
    """The Redis database of this test process: the configured one, or under pytest-xdist
    (``-n N``) the next ones, one per worker — the tests empty their database between tests."""
    base = os.environ.get("FRONTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, … (unset without xdist)
    if not worker.startswith("gw"):
        return base
    head, _, number = base.rpartition("/")
    return f"{head}/{int(number or 0) + 1 + int(worker[2:])}"


REDIS_URL = _redis_url()

DIALECTS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI: a CI run must exercise every backend."""
    if CI:
        pytest.fail(f"{reason} (CI=true: required service missing)")
    pytest.skip(reason)


def _pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(
            host=PG_HOST,
            port=PG_PORT,
            user=PG_USER,
            dbname="postgres",
            autocommit=True,
            connect_timeout=3,
        )
    except psycopg.OperationalError as exc:
        unavailable(f"PostgreSQL at {PG_HOST}:{PG_PORT} not reachable: {exc}")
        raise


def create_database_url(dialect: str, tmp_dir: Path) -> str:
    """A URL to a brand-new, empty database of ``dialect``."""
    if dialect == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_dir / f'fd-{uuid.uuid4().hex[:8]}.db'}"
    name = f"frontdesk_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def drop_database_url(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = url.rsplit("/", 1)[1]
    with _pg_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
