"""reportgen agreement run: traffic for ACTIVE seconds, then a quiet tail that ends the run
once Locust's own CSV holds the final numbers.

Locust rewrites ``_stats.csv`` from a greenlet once a second and writes ``--json-file``
at shutdown, with no last CSV write. A fixed quiet tail (traffic 3 s of ``-t 6s``) is
not enough on a loaded machine: ``--run-time`` is a gevent timer, counted from the
event loop's cached clock, so it fires early by however long Locust's start-up ran
without yielding (measured here under load: ``-t 6s`` ended 3.0-3.2 s after it was
set, in 5 runs of 5, while traffic still flowed, and the CSV lagged by 1-4 requests).
So the run is ended here, not by the clock: once every user is parked (after its last
task) nothing more can be logged, and the run quits as soon as the CSV's Aggregated
row shows the final request count (``--run-time`` is only a cap). Then the CSV cells
(Locust's own arithmetic) are an oracle for what reportgen derives from the JSON.

Locust divides rates by (last request - stats start), and the stats start is not in
the JSON (reportgen takes the earliest entry's ``start_time``). Locust clears the stats
and fires ``test_start`` in one step, so a ``MARK``/``test start`` event logged there
opens an entry at the stats start: the two denominators then agree however late the
first user's first request comes under load. Covers HTTP failures (404, 500, 401), a ``catch_response``
failure, a task exception (``_exceptions.csv``) and a custom request type whose
requests sometimes have no response time (``num_none_requests``).
Target: tests/support/target_server.py on 127.0.0.1 only.
"""

import csv
import os
import random
import time

import gevent
from locust import HttpUser, events, task

ACTIVE_SECONDS = float(os.environ.get("REPORTGEN_LOCUST_ACTIVE_SECONDS", "3"))
_deadline = {"at": float("inf")}
_parked = set()  # users whose next wait is the long one: they log nothing more


@events.test_start.add_listener
def _start_clock(environment, **_kwargs):
    _deadline["at"] = time.time() + ACTIVE_SECONDS
    events.request.fire(
        request_type="MARK", name="test start", response_time=0, response_length=0, exception=None, context={}
    )
    if environment.parsed_options and environment.parsed_options.csv_prefix:
        gevent.spawn(_quit_once_the_csv_is_final, environment)


def _pause(user):
    # Before the deadline: a short think time. After it: longer than any run, so the
    # user is parked, sits idle and logs nothing more.
    if time.time() < _deadline["at"]:
        return random.uniform(0.02, 0.08)
    _parked.add(id(user))
    return 3600.0


def _csv_total(path):
    """The Aggregated row's Request Count in Locust's stats CSV as last written, or None."""
    try:
        with open(path, newline="") as stream:
            rows = [row for row in csv.DictReader(stream) if row.get("Name") == "Aggregated"]
    except OSError:
        return None
    return int(rows[-1]["Request Count"]) if rows and rows[-1].get("Request Count", "").isdigit() else None


def _quit_once_the_csv_is_final(environment):
    options = environment.parsed_options
    while len(_parked) < options.num_users:
        gevent.sleep(0.1)
    final = environment.stats.total.num_requests
    path = f"{options.csv_prefix}_stats.csv"
    while _csv_total(path) != final:
        gevent.sleep(0.1)
    environment.runner.quit()


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
