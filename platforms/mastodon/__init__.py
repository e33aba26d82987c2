"""Mastodon through Mastodon.py: client plumbing, Source adapters, the reply sender, its simulator face."""
