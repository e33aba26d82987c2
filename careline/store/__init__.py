"""SQLite storage shared by every stage: the async ``Store`` and the shared table helpers."""

from careline.store.db import Store, connect, migrate

__all__ = ["Store", "connect", "migrate"]
