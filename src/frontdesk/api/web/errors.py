"""What a page raises instead of answering: sign in first, or an error page (German message).

Exceptions of their own (not ``HTTPException``), so the REST API's problem handlers never see
them and a page never answers with problem JSON.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from frontdesk.api.web.templating import render


class LoginRequired(Exception):
    """No valid session: go to the login page and come back to ``next_path`` afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageError(Exception):
    """An error page with status ``status`` and the message ``message_key``."""

    def __init__(self, status: int, message_key: str) -> None:
        super().__init__(message_key)
        self.status = status
        self.message_key = message_key


def login_url(next_path: str) -> str:
    return "/admin/login?next=" + quote(next_path, safe="/")


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = login_url(exc.next_path)
    if request.headers.get("HX-Request"):
        # An HTMX request (the schedule's polling) cannot follow a redirect into the page;
        # HX-Redirect makes the browser go there as a whole.
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return render(request, "error.html", {"message_key": exc.message_key}, status_code=exc.status)


def failure_page(request: Request, status: int) -> Response:
    """A bug or a failed dependency under /admin (api.errors.ErrorBoundary has counted and
    logged it): a page in the person's language, not problem JSON, and nothing of the cause."""
    key = "error.unavailable" if status in (502, 503, 504) else "error.internal"
    return render(request, "error.html", {"message_key": key}, status_code=status)


def install_web_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(PageError, _page_error)
