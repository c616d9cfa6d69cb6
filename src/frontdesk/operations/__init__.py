"""Operator tooling that is not part of serving requests: ``frontdesk doctor`` (ADR 0022)."""
