"""Giao việc in the browser and API v1 (being written)."""

from __future__ import annotations

from fastapi import APIRouter

from web.idempotency import IdempotentRoute

router = APIRouter(route_class=IdempotentRoute)
api_router = APIRouter(route_class=IdempotentRoute, prefix="/api/v1", tags=["v1"])
