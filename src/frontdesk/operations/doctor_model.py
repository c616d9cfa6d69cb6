"""What ``frontdesk doctor`` reports: one finding per check and subject, each with a status, what
was found and what to do; and the exit code the findings add up to (ADR 0022).

- ``ok``: nothing to do.
- ``warn``: works now but is a risk or a gap an operator should know about (e.g. provider keys
  stored unencrypted, a tenant without a phone number, a webhook subscribed by hand that doctor
  cannot see). Exit code 0, unless ``--strict``.
- ``fail``: something a caller, a business or the process would notice (database unreachable,
  migrations behind, Redis down, a tenant whose calls would be refused, Cal.com refusing the key,
  a missing webhook subscription, a check that timed out). Exit code 1.
- ``skip``: could not be checked because an earlier check failed, or does not apply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

EXIT_OK = 0
EXIT_PROBLEM = 1


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Finding:
    """One row of the report. ``subject`` names what was checked (a tenant, a URL without its
    password); no field ever carries a secret."""

    check: str
    subject: str
    status: Status
    finding: str
    action: str = ""


def ok(check: str, subject: str, finding: str) -> Finding:
    return Finding(check, subject, Status.OK, finding)


def warn(check: str, subject: str, finding: str, action: str) -> Finding:
    return Finding(check, subject, Status.WARN, finding, action)


def fail(check: str, subject: str, finding: str, action: str) -> Finding:
    return Finding(check, subject, Status.FAIL, finding, action)


def skip(check: str, subject: str, finding: str) -> Finding:
    return Finding(check, subject, Status.SKIP, finding)


def exit_code(findings: Iterable[Finding], *, strict: bool = False) -> int:
    """1 when anything failed (or, with ``strict``, warned), else 0."""
    bad = {Status.FAIL, Status.WARN} if strict else {Status.FAIL}
    return EXIT_PROBLEM if any(f.status in bad for f in findings) else EXIT_OK
