"""``python -m frontdesk`` runs the CLI."""

from frontdesk.cli import app

app()
