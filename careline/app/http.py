"""aiohttp behind the responder's small HTTP seams (webhook delivery), owned by the service."""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Callable, Mapping, Sequence

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from responder.alerts import TransportError, address_refused


class GuardedResolver(AbstractResolver):
    """The default resolver, refusing every address a webhook may not reach (``alerts.address_refused``).

    Why at connect time: ``alerts.target_problem`` resolves the name to check it, and aiohttp resolves it
    again to connect; a name that answers a public address the first time and 127.0.0.1 the second (DNS
    rebinding) would otherwise reach a loopback admin port with a signed POST."""

    def __init__(self, allow: Callable[[], Sequence[str]]) -> None:
        self._inner = aiohttp.ThreadedResolver()
        self._allow = allow

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        allow = self._allow()
        kept = [f for f in found if not address_refused(host, ipaddress.ip_address(str(f["host"]).split("%")[0]),
                                                       allow)]
        if not kept:
            # (errno, text): aiohttp's DNS error shows the text only as the strerror
            raise OSError(errno.EACCES, f"{host} resolves only to addresses webhooks may not reach "
                                        "(see responder.webhook_allow)")
        return kept

    async def close(self) -> None:
        await self._inner.close()


def webhook_session(allow: Callable[[], Sequence[str]], *, seconds: float = 30) -> aiohttp.ClientSession:
    """The session webhooks go out on: names resolved through :class:`GuardedResolver` (``allow``: the
    current ``responder.webhook_allow``, read at each connection so a settings change applies at once)."""
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allow))
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=seconds))


class AiohttpTransport:
    """``responder.alerts.Transport`` on one shared ``aiohttp.ClientSession``."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def post(self, url: str, body: bytes, headers: Mapping[str, str], *,
                   seconds: float) -> tuple[int, Mapping[str, str]]:
        try:
            async with self.session.post(url, data=body, headers=dict(headers), allow_redirects=False,
                                         timeout=aiohttp.ClientTimeout(total=seconds)) as resp:
                return resp.status, dict(resp.headers)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
