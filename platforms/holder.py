"""The platform client an adapter opens in ``start()`` and closes in ``close()``, held one way everywhere.

Each Bluesky, Mastodon and Reddit source and reply sender holds one client (an account on its own thread,
or an ``asyncpraw.Reddit``) between ``start()`` and ``close()``. What they share lives here once: ``close()``
may run twice or before ``start()`` (the service closes every adapter on shutdown, whatever started), and a
use before ``start()`` is a programming error that names the adapter. X's clients have their own owner
(``platforms.x.client.XClientOwner``): there the session, not the client, is what closes.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar


class Closable(Protocol):
    async def close(self) -> None: ...


C = TypeVar("C", bound=Closable)


class ClientHolder(Generic[C]):
    """Mixed in before ``Source`` or ``ReplySender``, whose ``close()`` is a no-op hook."""

    _held: C | None = None

    def hold(self, client: C) -> C:
        """Keep ``client`` (from ``start()``) until :meth:`close`."""
        self._held = client
        return client

    def held(self) -> C:
        if self._held is None:
            raise RuntimeError(f"{type(self).__name__}.start() was not called")
        return self._held

    async def close(self) -> None:
        if self._held is not None:
            await self._held.close()
            self._held = None
