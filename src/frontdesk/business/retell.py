"""The tenant's own Retell API key: set, replace or clear — never read back.

Retell signs its requests with the key, so it must stay readable to us: it is sealed by
``frontdesk.secrets`` (encrypted when ``FRONTDESK_SECRET_KEY`` is set), like the Cal.com key,
and only the voice gateway's routing and the agent push open it. The audit trail says that it
changed, never what it is. Dialled numbers' routes (and with them the key) are cached per
process for ``booking.directory.CACHE_TTL_S`` (ADR 0021)."""

from __future__ import annotations

from pydantic import SecretStr

from frontdesk import secrets
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business.owner import Owner, record
from frontdesk.business.views import RetellKeyView
from frontdesk.db.engine import DbSession
from frontdesk.db.repositories import tenants as tenant_rows
from frontdesk.db.tables import Tenant
from frontdesk.domain.errors import InvalidSetting, SettingNotFound

MIN_KEY = 8
# Sealed (Fernet: 57 bytes + the key padded to 16, base64, "fernet:") a 79-character key is 191
# characters: what tenant.retell_api_key holds. Retell's keys have 36.
MAX_KEY = 79


async def retell_key(uow: UnitOfWork, owner: Owner) -> RetellKeyView:
    async with uow.reading() as session:
        tenant = await tenant_of(session, owner)
        return _view(tenant.retell_api_key)


async def set_retell_key(
    uow: UnitOfWork, owner: Owner, key: SecretStr, secret_key: SecretStr | None
) -> RetellKeyView:
    """Store ``key`` sealed with ``secret_key`` (``Settings.secret_key``), replacing any other."""
    raw = key.get_secret_value().strip()
    if not MIN_KEY <= len(raw) <= MAX_KEY or not raw.isprintable() or " " in raw:
        raise InvalidSetting(
            "not a Retell API key", "Das sieht nicht wie ein Retell-API-Schlüssel aus.", "key"
        )
    sealed = secrets.seal(SecretStr(raw), secret_key)
    return await _store(uow, owner, sealed, "retell_key.set")


async def clear_retell_key(uow: UnitOfWork, owner: Owner) -> RetellKeyView:
    """Forget the tenant's key: its calls are verified with the installation's key again."""
    return await _store(uow, owner, None, "retell_key.clear")


async def _store(uow: UnitOfWork, owner: Owner, sealed: str | None, action: str) -> RetellKeyView:
    async with uow.writing() as session:
        tenant = await tenant_of(session, owner)
        before = tenant.retell_api_key is not None
        tenant.retell_api_key = sealed
        await record(
            uow,
            session,
            owner,
            action,
            ("tenant", tenant.id),
            {"is_set": before},
            {"is_set": sealed is not None},
        )
        await uow.commit(session)
    return _view(sealed)


async def tenant_of(session: DbSession, owner: Owner) -> Tenant:
    tenant = await tenant_rows.get(session, owner.tenant_id)
    if tenant is None:
        raise SettingNotFound(f"no tenant {owner.tenant_id}", "Diesen Betrieb gibt es nicht.")
    return tenant


def _view(sealed: str | None) -> RetellKeyView:
    return RetellKeyView(sealed is not None, sealed is not None and secrets.is_encrypted(sealed))
