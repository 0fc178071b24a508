"""The web UI and HTTP API: ``storyfold serve``, or ``create_app(db)`` for any ASGI server."""

from storyfold.web.app import create_app
from storyfold.web.site import ServeOptions, Site

__all__ = ["ServeOptions", "Site", "create_app"]
