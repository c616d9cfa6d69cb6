"""Booking use cases: find slots, book, reschedule, cancel, find a customer's appointments."""
