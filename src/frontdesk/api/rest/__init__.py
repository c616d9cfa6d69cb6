"""The REST API under /api/v1 (API-key auth, RFC 9457 problem details)."""
