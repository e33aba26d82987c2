"""Bluesky through the atproto SDK: client plumbing, Source adapters, the reply sender, its simulator face."""
