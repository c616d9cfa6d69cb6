"""Rendering a page: the Jinja2 environment and the context every template gets.

Every template sees ``t`` (messages and date/time formatting in the page's language), ``user``
(the signed-in ``WebUser`` or None), ``csrf_token``, ``nav`` (the entries this user may see),
``static_url`` and ``flash`` (a message key set by the previous request's redirect).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from frontdesk.access.model import SignedIn
from frontdesk.api.web import nav
from frontdesk.api.web.i18n import Translator, language_of_accept, language_of_locale
from frontdesk.api.web.messages import MESSAGES
from frontdesk.api.web.static_files import static_url

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["static_url"] = static_url
FLASH_COOKIE = "fd_flash"


def signed_in_of(request: Request) -> SignedIn | None:
    signed_in: SignedIn | None = getattr(request.state, "signed_in", None)
    return signed_in


def translator_for(request: Request) -> Translator:
    """The tenant's language when signed in, else the browser's (German by default)."""
    signed_in = signed_in_of(request)
    if signed_in is not None:
        return Translator(language_of_locale(signed_in.user.locale))
    return Translator(language_of_accept(request.headers.get("Accept-Language")))


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    signed_in = signed_in_of(request)
    flash = request.cookies.get(FLASH_COOKIE)
    t = translator_for(request)
    values: dict[str, Any] = {
        "t": t,
        "lang": t.language,
        "user": signed_in.user if signed_in else None,
        "csrf_token": signed_in.csrf_token
        if signed_in
        else getattr(request.state, "login_csrf", ""),
        "nav": nav.items_for(signed_in.user) if signed_in else [],
        "flash": flash if flash in MESSAGES["de"] else None,
        "current_path": request.url.path,
    }
    values.update(context or {})
    response = templates.TemplateResponse(
        request, template, values, status_code=status_code, headers=headers
    )
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/admin")
    return response


def set_flash(response: Response, key: str) -> None:
    """Show message ``key`` on the next page (after a redirect)."""
    response.set_cookie(FLASH_COOKIE, key, path="/admin", httponly=True, samesite="lax")
