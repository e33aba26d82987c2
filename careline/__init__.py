"""Careline: the parts the three stages share (domain, store, settings, app, CLI)."""

__version__ = "0.1.0"
