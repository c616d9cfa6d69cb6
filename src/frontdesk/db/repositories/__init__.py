"""Tenant-scoped data access: the only modules that build SQL."""
