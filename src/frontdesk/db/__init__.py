"""Persistence: SQLAlchemy tables, engine setup, repositories and Alembic migrations."""
