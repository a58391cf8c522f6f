"""HTTP API and dashboard (``energywatch serve``); ``create_app(settings)`` builds both."""

from energywatch.api.app import create_app

__all__ = ["create_app"]
