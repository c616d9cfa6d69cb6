"""One error vocabulary (ADR 0018): domain outcomes, integration failures and bugs, each
classified in one place (``classify``), told in one table (``vocabulary``) and counted and
logged one way (``report``)."""

from frontdesk.failures.classifier import Failure, classify
from frontdesk.failures.reporting import count, report
from frontdesk.failures.vocabulary import Kind, Meaning, domain_meaning, meaning, speech

__all__ = [
    "Failure",
    "Kind",
    "Meaning",
    "classify",
    "count",
    "domain_meaning",
    "meaning",
    "report",
    "speech",
]
