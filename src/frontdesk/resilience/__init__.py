"""Deadlines, retries, circuit breakers and rate budgets for calls to outside services.

Nothing here reads a clock or sleeps on its own: the wall clock, the monotonic clock and the
sleep function are passed in from the edge (app, worker, CLI), so tests drive them by hand.
"""
