"""How a job handler tells the worker what a failure means.

* ``TransientJobError``: worth retrying (a timeout, a 503, a lock held elsewhere). The job is
  rescheduled with exponential backoff until it has used its attempts.
* ``PermanentJobError``: retrying cannot help (a booking that no longer exists, a payload that
  does not validate). The job goes to ``dead`` at once, with the message kept for operators.

Any other exception is treated like a transient one, because the network errors of the libraries
we call are not marked; it is logged with its traceback.
"""

from __future__ import annotations

from datetime import timedelta


class JobError(Exception):
    """Base of the errors a handler raises on purpose."""


class TransientJobError(JobError):
    """A failure that may pass: retry later (``retry_after`` overrides the backoff delay)."""

    def __init__(self, message: str, *, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentJobError(JobError):
    """A failure that will not pass: the job is moved to ``dead`` without further attempts."""


class JobDeferred(JobError):
    """The work could not even start: a dependency declined to take it now (an open circuit
    breaker, an exhausted rate budget). Run again after ``retry_after``; this attempt is not
    counted, so waiting out an outage never kills a job that has not really been tried."""

    def __init__(self, message: str, *, retry_after: timedelta) -> None:
        super().__init__(message)
        self.retry_after = retry_after
