"""Point unmodified platform clients at another base URL (a proxy, or the loopback simulator).

tweepy's ``AsyncClient`` hard-codes ``https://api.twitter.com`` but lets us supply its aiohttp
session; this wrapper rewrites each request's scheme, host, port and path prefix and delegates to a
real ``aiohttp.ClientSession``. Everything else (auth headers, query encoding, error handling) is the
real client's own code, which is what the simulator tests are meant to exercise.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from yarl import URL


class RebasedSession:
    """Duck-types the one method tweepy calls on its session: ``request(method, url, **kw)``."""

    def __init__(self, base_url: str, *, timeout: float = 20.0) -> None:
        self.base = URL(base_url)
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))

    def rebase(self, url: str | URL) -> URL:
        original = url if isinstance(url, URL) else URL(url)
        prefix = self.base.path.rstrip("/")
        return URL.build(
            scheme=self.base.scheme,
            host=self.base.host or "127.0.0.1",
            port=self.base.explicit_port,
            path=prefix + original.raw_path,
            query_string=original.raw_query_string,
            encoded=True,
        )

    def request(self, method: str, url: str | URL, **kwargs: Any) -> Any:
        return self.session.request(method, self.rebase(url), **kwargs)

    async def close(self) -> None:
        await self.session.close()
