"""Real worker processes in tests: started in a process group of their own that dies with the
test process, and all killed at the end, so neither a failed nor an interrupted test leaves a
worker (or a child of it) behind."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it when the test process dies (Linux PR_SET_PDEATHSIG),
    so even a pytest killed without teardown leaves no worker spinning."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(
    processes: list[subprocess.Popen[str]],
    command: list[str],
    env: dict[str, str] | None = None,
    output: IO[str] | None = None,
) -> subprocess.Popen[str]:
    """Start ``command`` in the repository; its output (stdout and stderr together) goes to
    ``output``, or to a pipe the test reads with ``communicate``."""
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=output if output is not None else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own process group (killed whole on teardown), and it dies with the test process.
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    processes.append(process)
    return process


@contextlib.contextmanager
def started_processes() -> Iterator[list[subprocess.Popen[str]]]:
    """A list to ``spawn`` into; on leaving, each one still running is killed with its group."""
    started: list[subprocess.Popen[str]] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_ready(url: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    """Until ``url`` answers 200; fails the test when the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited early: {process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("serve did not become healthy in time")
