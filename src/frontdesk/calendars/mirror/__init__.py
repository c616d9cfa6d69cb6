"""The availability mirror's filling side: Cal.com's free slots copied ahead of calls.

A voice search must answer in tens of milliseconds; Cal.com answers ``/v2/slots`` in 300 to
1,500 ms. So searches never ask the provider: they read ``calendar_mirror_day`` rows (one per
branch, event type, host and local day), which this package keeps filled:

- ``plan``: which requests would bring a branch up to date, most urgent first (pure);
- ``refresher``: runs them within the mirror's share of the provider's rate budget and stores
  the answers;
- ``jobs``: the periodic and on-demand refresh jobs, and ``request_refresh``, which a write
  calls in the transaction that marks days stale.

This ``__init__`` is the package's face to the rest of frontdesk and re-exports on purpose:
the booking side asks for a refresh through ``frontdesk.calendars.mirror.request_refresh``, and
``jobs.handlers.HANDLER_MODULES`` lists ``frontdesk.calendars.mirror``, so importing the
package must register the job handlers, which importing ``jobs`` does.
"""

from __future__ import annotations

from frontdesk.calendars.mirror.jobs import request_refresh

__all__ = ["request_refresh"]
