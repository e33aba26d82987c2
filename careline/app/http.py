"""aiohttp behind the responder's small HTTP seams (webhook delivery), owned by the service."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

from responder.alerts import TransportError


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
