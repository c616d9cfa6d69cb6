"""The ``frontdesk`` command line: serve, seed the demo, migrate, manage API keys."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from frontdesk.db import migrate
from frontdesk.db.repositories import tenants
from frontdesk.db.seed import DemoCredentials, seed_demo
from frontdesk.observability.logging import configure_logging
from frontdesk.resources import open_resources
from frontdesk.security import generate_api_key, generate_password
from frontdesk.settings import Settings, get_settings

app = typer.Typer(
    help="frontdesk — the booking backend for AI phone receptionists.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    # Locals in tracebacks could print secrets (API keys, passwords).
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
apikey_app = typer.Typer(help="Tenant API keys for the REST API.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(apikey_app, name="apikey")

console = Console()


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    return settings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    no_demo: Annotated[
        bool, typer.Option("--no-demo", help="Do not seed the demo business.")
    ] = False,
) -> None:
    """Migrate the database, seed the demo on an empty embedded database, and serve HTTP."""
    settings = _settings()
    migrate.upgrade(settings.database_url)
    if settings.is_sqlite and not no_demo:
        credentials = asyncio.run(_seed_if_empty(settings))
        if credentials is not None:
            _print_credentials(credentials)
    uvicorn.run(
        "frontdesk.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
    )


@app.command()
def demo() -> None:
    """Seed or re-seed the demo business (Salon Sonnenschein) and print its API key and logins.

    Re-seeding replaces the demo tenant and everything it owns. FRONTDESK_DEMO_API_KEY fixes the
    API key; otherwise a new one is generated each time.
    """
    settings = _settings()
    migrate.upgrade(settings.database_url)
    _print_credentials(asyncio.run(_seed(settings)))


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = _settings()
    migrate.upgrade(settings.database_url, revision)
    console.print(f"Database at [bold]{revision}[/bold].")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")],
) -> None:
    """Revert migrations down to REVISION."""
    settings = _settings()
    migrate.downgrade(settings.database_url, revision)
    console.print(f"Database at [bold]{revision}[/bold].")


@apikey_app.command("create")
def apikey_create(
    tenant: Annotated[str, typer.Option(help="Tenant slug, e.g. salon-sonnenschein.")],
    name: Annotated[str, typer.Option(help="What the key is for.")] = "cli",
) -> None:
    """Create a new API key for TENANT and print it once (only its digest is stored)."""
    settings = _settings()
    key = asyncio.run(_create_key(settings, tenant, name))
    if key is None:
        console.print(f"[red]No tenant with slug {tenant!r}.[/red]")
        raise typer.Exit(code=1)
    console.print(f"API key for [bold]{tenant}[/bold] ({name}): {key}")


async def _seed_if_empty(settings: Settings) -> DemoCredentials | None:
    async with open_resources(settings) as resources, resources.sessions() as session:
        if await tenants.count_tenants(session) > 0:
            return None
    return await _seed(settings)


async def _seed(settings: Settings) -> DemoCredentials:
    api_key = (
        settings.demo_api_key.get_secret_value() if settings.demo_api_key else generate_api_key()
    )
    async with open_resources(settings) as resources, resources.sessions() as session:
        return await seed_demo(session, api_key=api_key, password=generate_password())


async def _create_key(settings: Settings, slug: str, name: str) -> str | None:
    async with open_resources(settings) as resources, resources.sessions() as session:
        tenant = await tenants.get_by_slug(session, slug)
        if tenant is None:
            return None
        key = generate_api_key()
        await tenants.add_api_key(session, tenant.id, name, key)
        await session.commit()
        return key


def _print_credentials(credentials: DemoCredentials) -> None:
    table = Table(title="Demo business: Salon Sonnenschein (salon-sonnenschein)")
    table.add_column("what")
    table.add_column("value")
    table.add_row("API key", credentials.api_key)
    for login in credentials.logins:
        table.add_row(f"login ({login.role.value})", f"{login.email} / {login.password}")
    table.add_row("phone number", "+4930123456789")
    console.print(table)
