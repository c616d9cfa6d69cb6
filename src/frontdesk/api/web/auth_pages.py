"""Sign-in, sign-out and the password change (ADR 0019)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from frontdesk.access.model import BadCredentials, SignedIn, Throttled
from frontdesk.access.web_access import MIN_PASSWORD_LENGTH, retry_minutes
from frontdesk.api.web import nav
from frontdesk.api.web.deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentUser,
    MaybeSignedIn,
    SignedInDep,
    WebAccessDep,
    cookie_secure,
    login_csrf_token,
    safe_next,
)
from frontdesk.api.web.templating import render, set_flash

router = APIRouter()
MAX_EMAIL = 254
nav.register(nav.NavItem("nav.password", "/admin/password", 900))


@router.get("/", include_in_schema=False)
async def home() -> Response:
    return RedirectResponse("/admin/schedule", status_code=303)


@router.get("/login", include_in_schema=False)
async def login_page(request: Request, signed_in: MaybeSignedIn, next: str = "") -> Response:
    if signed_in is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, next, error=None, status_code=200)


@router.post("/login", include_in_schema=False)
async def login(
    request: Request,
    access: WebAccessDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    # No max_length on the fields: an over-long value would get FastAPI's JSON 422 instead of
    # the page's message; the body limit bounds them, and the use case refuses what is too long.
    address = request.client.host if request.client else "unknown"
    result = await access.sign_in(email[:MAX_EMAIL], password, address)
    if isinstance(result, Throttled):
        minutes = retry_minutes(result.retry_after)
        key = "login.throttled_one" if minutes == 1 else "login.throttled"
        response = _login_form(request, next, error=(key, minutes), status_code=429)
        response.headers["Retry-After"] = str(int(result.retry_after.total_seconds()))
        return response
    if isinstance(result, BadCredentials):
        return _login_form(request, next, error=("login.failed", 0), status_code=401)
    return _signed_in_redirect(request, result, safe_next(next))


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, access: WebAccessDep, signed_in: MaybeSignedIn) -> Response:
    if signed_in is not None:
        await access.sign_out(signed_in.token)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/admin")
    set_flash(response, "flash.signed_out")
    return response


@router.get("/password", include_in_schema=False)
async def password_page(request: Request, user: CurrentUser) -> Response:
    return _password_form(request, error=None, status_code=200)


@router.post("/password", include_in_schema=False)
async def change_password(
    request: Request,
    access: WebAccessDep,
    signed_in: SignedInDep,
    current: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
    repeat: Annotated[str, Form()] = "",
) -> Response:
    if new != repeat:
        return _password_form(request, error="password.mismatch", status_code=400)
    error = await access.change_password(signed_in, current, new)
    if error is not None:
        return _password_form(request, error=error, status_code=400)
    response = RedirectResponse("/admin/schedule", status_code=303)
    set_flash(response, "flash.password_changed")
    return response


def _login_form(
    request: Request, next_path: str, *, error: tuple[str, int] | None, status_code: int
) -> Response:
    token, new = login_csrf_token(request)
    request.state.login_csrf = token
    response = render(
        request,
        "login.html",
        {"next": safe_next(next_path) if next_path else "", "error": error},
        status_code=status_code,
    )
    if new:
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            path="/admin",
            httponly=True,
            samesite="lax",
            secure=cookie_secure(request),
        )
    return response


def _signed_in_redirect(request: Request, signed_in: SignedIn, target: str) -> Response:
    # A browser-session cookie (no Max-Age): closing the browser signs out; the server ends
    # the session after its idle and absolute lifetimes either way.
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed_in.token,
        path="/admin",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin")
    return response


def _password_form(request: Request, *, error: str | None, status_code: int) -> Response:
    return render(
        request,
        "password.html",
        {"error": error, "min_length": MIN_PASSWORD_LENGTH},
        status_code=status_code,
    )
