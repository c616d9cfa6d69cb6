"""Static files under content-addressed URLs: ``/admin/static/<digest>/<path>``.

The digest is a hash of the file, so a URL's content never changes and browsers may keep it for
a year (``immutable``); a new release changes the digest and with it the URL. No build step:
the digests are computed once per process from the files in the package.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

STATIC_DIR = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"

router = APIRouter()


@cache
def _digests() -> dict[str, str]:
    return {
        path.relative_to(STATIC_DIR).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(STATIC_DIR.rglob("*"))
        if path.is_file()
    }


def static_url(name: str) -> str:
    """The versioned URL of a file below ``static/`` (KeyError for a file that is not there,
    so a typo in a template fails its test instead of linking nowhere)."""
    return f"/admin/static/{_digests()[name]}/{name}"


@router.get("/static/{digest}/{name:path}", include_in_schema=False)
async def static_file(digest: str, name: str) -> Response:
    current = _digests().get(name)
    if current is None:
        return Response(status_code=404)
    # A page of an older release may ask for an older digest: it gets today's file, but only
    # for revalidation, so the long cache never pins a stale copy under the old URL.
    cache_control = IMMUTABLE if digest == current else "no-cache"
    return FileResponse(STATIC_DIR / name, headers={"Cache-Control": cache_control})
