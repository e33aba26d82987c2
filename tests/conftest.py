"""Shared fixtures: real SQLite files in tmp dirs, the real simulator on 127.0.0.1, tiny scenarios."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from careline.settings import BrandSettings, XSourceSettings
from careline.store import Store
from platforms.simulator.server import Simulator
from platforms.simulator.world import World, load_scenario_data

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def shared_data(*parts: str) -> Path:
    """A dataset under ../shared/data, or a clean skip where the checkout has no shared/ beside it."""
    path = SHARED.joinpath("data", *parts)
    if not path.exists():
        pytest.skip(f"../shared/data/{'/'.join(parts)} is not available beside this checkout")
    return path


BRAND = BrandSettings(name="skylark", display_name="Skylark Air", keywords=["skylark air", "#skylarkair"],
                      handles=["SkylarkAir"], x_user_id="900001", languages=["en"])


def tiny_scenario(n: int = 30) -> dict[str, Any]:
    """``n`` customer posts mentioning the brand, plus one brand post and one retweet to be dropped."""
    users = [{"id": str(1000 + i), "username": f"user{i}", "name": f"User {i}", "followers": i * 10}
             for i in range(10)]
    users.append({"id": "900001", "username": "SkylarkAir", "name": "Skylark Air", "followers": 50000})
    posts: list[dict[str, Any]] = [
        {"ref": f"p{i}", "at": i, "user": f"user{i % 10}",
         "text": f"@SkylarkAir problem number {i} with my booking"} for i in range(n)
    ]
    posts.append({"ref": "own", "at": n + 1, "user": "SkylarkAir", "text": "Fly with Skylark Air today! #skylarkair"})
    posts.append({"ref": "rt", "at": n + 2, "user": "user1", "retweet_of": "p0",
                  "text": "RT @user0: @SkylarkAir problem number 0 with my booking"})
    posts.append({"ref": "other", "at": n + 3, "user": "user2", "text": "nothing to do with any airline"})
    return {"brands": {"skylark": {"x_user_id": "900001", "x_handle": "SkylarkAir"}}, "users": users, "posts": posts}


def expected_keys(world: World) -> set[str]:
    """What a faithful poller must store: customer posts that mention the brand, no retweets."""
    return {f"x:{p.id}" for p in world.visible("x")
            if p.user.id != "900001" and not p.retweet_of and "skylark" in p.text.lower()}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "careline.db").open_sync()
    yield s
    s.close_sync()


@pytest.fixture
def world() -> World:
    return load_scenario_data(tiny_scenario(), World(manual=True))


@pytest.fixture
async def simulator(world: World) -> AsyncIterator[Simulator]:
    sim = Simulator(world)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
def x_settings(simulator: Simulator) -> XSourceSettings:
    return XSourceSettings(api_base_url=simulator.base_url, bearer_token="test-token")


def mirror_x_world(store: Store, brands: list[BrandSettings]) -> World:
    """A simulator world holding the X posts already stored, under their stored ids.

    Web tests seed conversations straight into SQLite; mirroring them lets the real reply sender post
    answers to the real simulator instead of to a stand-in.
    """
    from platforms.simulator.world import SimPost, SimUser

    world = World(manual=True)
    for b in brands:
        handle = (b.handles or [b.name])[0]
        world.add_user(SimUser(b.x_user_id or f"9{len(world.users)}", handle, b.display_name, platform="x"))
    found = store.read_sync(lambda db: db.conn.execute(
        "SELECT m.platform_id, m.text, a.platform_id, a.handle FROM mentions m "
        "JOIN authors a ON a.key = m.author_key WHERE m.platform = 'x'").fetchall())
    posts = []
    for pid, text, uid, handle in found:
        user = world.users.get(f"x:{handle.lower()}") or world.add_user(SimUser(uid, handle))
        posts.append(SimPost(ref=f"m{pid}", at=0, platform="x", user=user, text=text, id=pid, fixed_id=True))
    world.add_posts(posts)
    world.publish_all()
    return world


def x_reply_senders(base_url: str, brands: list[BrandSettings]) -> dict[str, Any]:
    """Real tweepy reply senders, one per brand, pointed at the simulator (bearer = brand handle)."""
    from platforms.x.reply import XReplySender

    settings = XSourceSettings(api_base_url=base_url)
    return {f"x:{b.name}": XReplySender(settings, handle=(b.handles or [b.name])[0],
                                        bearer_token=(b.handles or [b.name])[0], timeout=5) for b in brands}
