"""Child process: one person firing N sends at once, each with its own idempotency key.

Usage: ``python -m tests.helpers.send_burst URL TOKEN CONVERSATION N TAG``; prints one JSON line with
each response's status and error message (or the reply's state).
"""

from __future__ import annotations

import asyncio
import json
import sys

import aiohttp


async def one(session: aiohttp.ClientSession, url: str, conv: int, key: str) -> dict[str, object]:
    async with session.post(f"{url}/api/conversations/{conv}/replies",
                            json={"text": f"Sorry about this, we're on it ({key}).", "idempotency_key": key}) as r:
        body = await r.json()
        return {"status": r.status, "message": (body.get("error") or {}).get("message", body.get("state"))}


async def main(url: str, token: str, conv: int, n: int, tag: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        results = await asyncio.gather(*(one(session, url, conv, f"{tag}-burst-{i:04d}") for i in range(n)))
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]))
