"""Per-process caches (one event loop, no locking)."""
