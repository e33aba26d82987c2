"""Click commands for each stage; plain functions of the stages do the work."""

from __future__ import annotations

import click

from careline.settings import Settings, load_settings


def settings_of(ctx: click.Context) -> Settings:
    """The settings the root command loaded (``--config``, with the browser's overlay), else
    ``$CARELINE_CONFIG`` or defaults: one rule for every stage command, run from ``careline`` or alone."""
    settings = getattr(ctx.find_root().obj, "settings", None)
    return settings if isinstance(settings, Settings) else load_settings()
