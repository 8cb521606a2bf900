"""The app's routes, for tests that check a rule over every one of them.

FastAPI (0.165 and later) keeps an included router as one entry of ``app.routes`` wrapping the
router (``original_router``), no longer its routes copied flat: a test iterating ``app.routes``
alone would check nothing and still pass. Walk the routers instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.routing import APIRoute


def every_api_route(routes) -> Iterator[APIRoute]:
    """Every route with a handler, included routers walked; paths carry their router's prefix."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from every_api_route(original.routes)
        elif isinstance(route, APIRoute):
            yield route


def post_routes(app) -> list[APIRoute]:
    return [route for route in every_api_route(app.routes) if "POST" in route.methods]
