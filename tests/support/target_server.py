"""The loopback target the shared fixtures were recorded against (tests/fixtures/real/TARGET-SERVER.md).

Run as ``python target_server.py PORT``; listens on 127.0.0.1 only.
"""

# ruff: noqa
import asyncio, json, random, sys
from aiohttp import web

rng = random.Random(42)
ITEMS = [{"id": i, "name": f"item-{i}", "price": round(1.5 * i, 2)} for i in range(40)]
BIG = b"x" * 50_000


async def home(r):
    return web.json_response({"ok": True, "service": "target"})


async def items(r):
    await asyncio.sleep(rng.uniform(0.001, 0.008))
    return web.json_response(ITEMS)


async def item(r):
    i = int(r.match_info["id"])
    if i >= len(ITEMS):
        return web.json_response({"error": "no such item"}, status=404)
    return web.json_response(ITEMS[i])


async def slow(r):
    await asyncio.sleep(rng.uniform(0.08, 0.25))
    return web.json_response({"slow": True})


async def flaky(r):
    await asyncio.sleep(rng.uniform(0.002, 0.02))
    if rng.random() < 0.15:
        return web.json_response({"error": "upstream failed"}, status=500)
    return web.json_response({"ok": True})


async def big(r):
    return web.Response(body=BIG, content_type="text/plain")


async def login(r):
    body = await r.json()
    await asyncio.sleep(rng.uniform(0.005, 0.03))
    if body.get("password") != "secret":
        return web.json_response({"error": "bad credentials"}, status=401)
    return web.json_response({"token": "t-" + body.get("user", "?")})


app = web.Application()
app.add_routes(
    [
        web.get("/", home),
        web.get("/api/items", items),
        web.get("/api/items/{id}", item),
        web.get("/slow", slow),
        web.get("/flaky", flaky),
        web.get("/big", big),
        web.post("/api/login", login),
    ]
)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 18500, access_log=None, print=None)
