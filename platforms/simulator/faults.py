"""Serving a listing with a payload fault, the same way for every platform face.

The faces differ only in where their items sit and what a broken item looks like on their wire;
what each fault does to a body (an extra broken item, a repeated item, a shuffle, a cut or non-JSON
body) is one behaviour, so the fault tests mean the same thing on X and on Reddit.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from aiohttp import web

from platforms.simulator.world import Fault


def listing_response(fault: Fault | None, body: dict[str, Any], items: list[Any] | None,
                     malformed: dict[str, Any], headers: dict[str, str]) -> web.Response:
    """``body`` as JSON with ``fault`` applied; ``items`` is the list inside ``body`` it may alter."""
    kind = fault.kind if fault else None
    if items:
        if kind == "malformed_item":
            items.insert(len(items) // 2, malformed)
        elif kind == "duplicate":
            items.append(copy.deepcopy(items[0]))
        elif kind == "out_of_order":
            random.Random(7).shuffle(items)
    text = json.dumps(body)
    if kind == "truncated":
        text = text[: max(1, len(text) // 2)]
    elif kind == "bad_json":
        text = "<html><body>502 Bad Gateway</body></html>"
    return web.Response(text=text, content_type="application/json", headers=headers)
