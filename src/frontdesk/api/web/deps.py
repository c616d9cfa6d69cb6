"""The dependencies pages are built from (docs/web.md).

``CurrentUser`` signs the request in (or sends the browser to the login page and back),
``OwnerUser`` also requires the owner's role (a 403 page for staff), and every unsafe request
of the ``/admin`` router passes ``csrf_protect`` (mounted on the router, so a new form cannot
forget it).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from frontdesk.access.model import SignedIn, WebUser
from frontdesk.access.web_access import WebAccess
from frontdesk.api.web.errors import LoginRequired, PageError
from frontdesk.booking.schedule import Schedule

SESSION_COOKIE = "fd_session"
LOGIN_CSRF_COOKIE = "fd_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_web_access(request: Request) -> WebAccess:
    access: WebAccess = request.app.state.web_access
    return access


async def get_schedule(request: Request) -> Schedule:
    schedule: Schedule = request.app.state.schedule
    return schedule


WebAccessDep = Annotated[WebAccess, Depends(get_web_access)]
ScheduleDep = Annotated[Schedule, Depends(get_schedule)]


async def session_or_none(request: Request, access: WebAccessDep) -> SignedIn | None:
    """The request's live session, if any (cached per request by FastAPI)."""
    token = request.cookies.get(SESSION_COOKIE)
    signed_in = await access.session_of(token) if token else None
    request.state.signed_in = signed_in
    return signed_in


MaybeSignedIn = Annotated[SignedIn | None, Depends(session_or_none)]


async def signed_in_session(request: Request, signed_in: MaybeSignedIn) -> SignedIn:
    if signed_in is None:
        raise LoginRequired(_here(request))
    return signed_in


async def current_user(signed_in: Annotated[SignedIn, Depends(signed_in_session)]) -> WebUser:
    return signed_in.user


async def require_owner(user: Annotated[WebUser, Depends(current_user)]) -> WebUser:
    if not user.is_owner:
        raise PageError(403, "error.forbidden")
    return user


SignedInDep = Annotated[SignedIn, Depends(signed_in_session)]
CurrentUser = Annotated[WebUser, Depends(current_user)]
OwnerUser = Annotated[WebUser, Depends(require_owner)]


async def csrf_protect(request: Request, signed_in: MaybeSignedIn) -> None:
    """Unsafe requests must send back the session's token (or, before sign-in, the login
    form's cookie token) in ``X-CSRF-Token`` or the form field ``csrf_token``."""
    if request.method in _SAFE_METHODS:
        return
    expected = signed_in.csrf_token if signed_in else request.cookies.get(LOGIN_CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and _is_form(request):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PageError(403, "error.csrf")


def login_csrf_token(request: Request) -> tuple[str, bool]:
    """The anonymous visitor's CSRF token and whether it is new (then set it as a cookie)."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if token and 20 <= len(token) <= 100:
        return token, False
    return secrets.token_urlsafe(32), True


def safe_next(value: str | None) -> str:
    """Where to go after sign-in: only a relative path inside ``/admin``; anything else (other
    sites, ``//host``, backslashes, control characters) goes to the schedule."""
    fallback = "/admin/schedule"
    if not value or "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return fallback
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("//"):
        return fallback
    if parts.path != "/admin" and not parts.path.startswith("/admin/"):
        return fallback
    if parts.path.startswith("/admin/login"):
        return fallback
    return value


def cookie_secure(request: Request) -> bool:
    """Secure cookies behind HTTPS: the request came over it, or the public URL says so."""
    return (
        request.url.scheme == "https"
        or request.app.state.resources.settings.base_url.startswith("https://")
    )


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
