"""The REST API router: everything under /api/v1."""

from fastapi import APIRouter

from frontdesk.api.rest import appointments, catalog, people

router = APIRouter(prefix="/api/v1")
router.include_router(catalog.router)
router.include_router(appointments.router)
router.include_router(people.router)
