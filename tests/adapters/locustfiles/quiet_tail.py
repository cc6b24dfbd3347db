"""reportgen agreement run: traffic for ACTIVE seconds, then a quiet tail until --run-time ends.

Locust rewrites ``_stats.csv`` once a second and writes ``--json-file`` at shutdown;
after a quiet tail of two seconds or more the last CSV write already holds the final
numbers, so the CSV cells (Locust's own arithmetic) are an oracle for what reportgen
derives from the JSON. Covers HTTP failures (404, 500, 401), a ``catch_response``
failure, a task exception (``_exceptions.csv``) and a custom request type whose
requests sometimes have no response time (``num_none_requests``).
Target: tests/support/target_server.py on 127.0.0.1 only.
"""

import os
import random
import time

from locust import HttpUser, events, task

ACTIVE_SECONDS = float(os.environ.get("REPORTGEN_LOCUST_ACTIVE_SECONDS", "3"))
_deadline = {"at": float("inf")}


@events.test_start.add_listener
def _start_clock(environment, **_kwargs):
    _deadline["at"] = time.time() + ACTIVE_SECONDS


def _pause(user):
    # Before the deadline: a short think time. After it: longer than any run, so the
    # user sits idle and no request is logged after the last CSV write.
    return random.uniform(0.02, 0.08) if time.time() < _deadline["at"] else 3600.0


class Visitor(HttpUser):
    wait_time = _pause

    @task(5)
    def home(self):
        self.client.get("/", name="home")

    @task(3)
    def item(self):
        i = 45 if random.random() < 0.2 else random.randrange(40)
        self.client.get(f"/api/items/{i}", name="/api/items/[id]")

    @task(2)
    def slow(self):
        with self.client.get("/slow", name="slow", catch_response=True) as r:
            if r.elapsed.total_seconds() > 0.2:
                r.failure("slower than 200 ms")

    @task(2)
    def flaky(self):
        self.client.get("/flaky", name="flaky")

    @task(1)
    def login(self):
        password = "secret" if random.random() >= 0.3 else "wrong"
        self.client.post("/api/login", json={"user": "u", "password": password}, name="login")

    @task(1)
    def big(self):
        self.client.get("/big", name="big")

    @task(1)
    def broken(self):
        raise KeyError("missing_key")

    @task(1)
    def queue(self):
        # A request type with no HTTP; a third of them report no response time at all.
        started = time.perf_counter()
        time.sleep(random.uniform(0.001, 0.005))
        elapsed = None if random.random() < 0.33 else (time.perf_counter() - started) * 1000
        events.request.fire(
            request_type="QUEUE",
            name="enqueue",
            response_time=elapsed,
            response_length=64,
            exception=None,
            context={},
        )
