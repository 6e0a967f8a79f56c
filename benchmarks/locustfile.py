"""The users of ``benchmarks/load.py``: the public, journalists, curators, a probe of the bare
server and one client that starts an export and stops reading.

Run by ``benchmarks/load.py`` (which starts the stack and writes the plan); on its own:

    LOAD_PLAN=plan.json locust -f benchmarks/locustfile.py --headless -u 40 -t 5m --host URL

``LOAD_PLAN`` is a JSON file of the URLs to visit and the curator's credentials; every request
is also written to ``LOAD_SAMPLES`` (JSON lines) when the run ends, so the runner can count
statuses and tell the pages answered during exports and the ingest from the others.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import socket
import time

from locust import HttpUser, User, between, constant_pacing, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read()) if os.environ.get("LOAD_PLAN") else {}
NEXT_LINK = re.compile(r'<a href="([^"]+)" rel="next">')
DECIDE = re.compile(r'action="(/curate/post/\d+/decide/)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# How long the stalled client keeps its export open without reading (the issue saw a sync
# worker held until gunicorn killed it, 30 s later).
STALL_SECONDS = float(os.environ.get("LOAD_STALL_SECONDS", "60"))

SAMPLES: list[tuple] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None,
            start_time=None, **kwargs):  # fmt: skip
    status = getattr(response, "status_code", 0) if response is not None else 0
    started = start_time if start_time is not None else time.time() - response_time / 1000
    SAMPLES.append((started, name, request_type, status, response_time, exception is not None))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    path = os.environ.get("LOAD_SAMPLES")
    if not path:
        return
    with open(path, "w") as out:
        for started, name, kind, status, ms, failed in SAMPLES:
            row = {"t": started, "name": name, "type": kind, "status": status, "ms": ms}
            out.write(json.dumps(row | {"failed": failed}) + "\n")


_addresses = iter(range(1, 1 << 24))


class Visitor(HttpUser):
    """Each simulated person comes from an address of its own, as behind the TLS proxy of a
    deployment (TRUSTED_PROXY_COUNT=1), so the per-client limits count each person."""

    abstract = True

    def on_start(self):
        number = next(_addresses)
        self.client.headers["X-Forwarded-For"] = (
            f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"
        )

    def page(self, url: str, name: str, **kwargs):
        with self.client.get(url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code >= 400:
                response.failure(f"status {response.status_code}")
            return response


class Reader(Visitor):
    """The public: the home page, the timeline and its zooms, events, posts, articles."""

    weight = 2
    wait_time = between(0.5, 2.5)

    @task(2)
    def home(self):
        self.page("/", "home")

    @task(3)
    def timeline(self):
        self.page(random.choice(PLAN["timeline"]), "timeline (zooms)")

    @task(2)
    def event(self):
        self.page(random.choice(PLAN["events"]), "event")

    @task(4)
    def post(self):
        self.page(random.choice(PLAN["posts"]), "post")

    @task(2)
    def article(self):
        self.page(random.choice(PLAN["articles"]), "article")

    @task(1)
    def account(self):
        self.page(random.choice(PLAN["accounts"]), "account")


class Journalist(Visitor):
    """Searching with operators and filters, paging by the next link, exporting common words
    and reading the API."""

    weight = 1
    wait_time = between(0.5, 2.5)

    @task(6)
    def search_and_page(self):
        response = self.page(random.choice(PLAN["searches"]), "search")
        for _ in range(random.choice((0, 0, 1, 2))):
            found = NEXT_LINK.search(response.text or "")
            if not found:
                break
            response = self.page("/search/" + html.unescape(found.group(1)), "search next page")

    @task(2)
    def api_search(self):
        self.page(random.choice(PLAN["api"]), "api search")

    @task(1)
    def export(self):
        url = random.choice(PLAN["exports"])
        name = "export csv" if "export.csv" in url else "export json"
        with self.client.get(url, name=name, catch_response=True) as response:
            # A refusal by the limits (429 busy or over the client's rate, 403 too many rows
            # for a visitor) is the protection at work, counted apart by the runner.
            if response.status_code in (403, 429):
                response.success()
            elif response.status_code >= 400:
                response.failure(f"status {response.status_code}")


class Curator(Visitor):
    """Signs in (the second factor off for the run: CURATOR_REQUIRE_2FA=0), browses the queue,
    opens an entry and approves a few."""

    fixed_count = 2
    wait_time = between(2, 6)

    def insecure_cookies(self):
        # DEBUG is off, so the cookies are marked Secure; the load test speaks plain HTTP to
        # gunicorn, where a client would not send them back.
        for cookie in self.client.cookies:
            cookie.secure = False

    def page(self, url: str, name: str, **kwargs):
        response = super().page(url, name, **kwargs)
        self.insecure_cookies()
        return response

    def on_start(self):
        super().on_start()
        response = self.client.get("/curate/login/", name="curate login page")
        self.insecure_cookies()
        token = CSRF_FIELD.search(response.text)
        with self.client.post(
            "/curate/login/",
            data={
                "username": PLAN["curator"]["username"],
                "password": PLAN["curator"]["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="curate login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")
        self.insecure_cookies()
        self.decide_urls: list[str] = []

    @task(3)
    def queue(self):
        response = self.page(random.choice(PLAN["queue"]), "curate queue")
        self.decide_urls = DECIDE.findall(response.text or "")
        self.token = (CSRF_FIELD.search(response.text or "") or [None, ""])[1]

    @task(2)
    def entry(self):
        if self.decide_urls:
            url = random.choice(self.decide_urls).removesuffix("decide/")
            self.page(url, "curate entry")

    @task(1)
    def approve(self):
        if not self.decide_urls:
            return
        url = self.decide_urls.pop(random.randrange(len(self.decide_urls)))
        with self.client.post(
            url,
            data={"action": "approve", "reason": "", "next": "/curate/",
                  "csrfmiddlewaretoken": self.token},
            name="curate approve (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
        self.insecure_cookies()


class Floor(Visitor):
    """The bare view: robots.txt renders a tiny template without touching the database, so
    its times are the server's own floor under the same load."""

    fixed_count = 1
    wait_time = constant_pacing(0.5)

    @task
    def robots(self):
        self.page("/robots.txt", "bare view (robots.txt)")


class StalledClient(User):
    """Starts an export, reads its first few kilobytes, then stops reading for STALL_SECONDS
    (a receive window of a few kilobytes, so the server's writes block), then reads the rest.
    Recorded as complete (the server waited, holding a thread and an export slot) or cut (the
    server gave up on it)."""

    fixed_count = 1
    wait_time = constant_pacing(STALL_SECONDS + 5)

    @task
    def stall(self):
        host, port = self.host.removeprefix("http://").split(":")
        started = time.time()
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(STALL_SECONDS + 60)
        received = b""
        status = 0
        try:
            sock.connect((host, int(port)))
            sock.sendall(
                f"GET {PLAN['stalled_export']} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "X-Forwarded-For: 10.255.255.254\r\nConnection: close\r\n\r\n".encode()
            )
            received = sock.recv(4096)
            status = int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/") else 0
            time.sleep(STALL_SECONDS)
            while chunk := sock.recv(65536):
                received += chunk
        except OSError as error:
            outcome = f"cut ({type(error).__name__})"
        else:
            outcome = "complete" if received.endswith(b"0\r\n\r\n") else "cut (closed early)"
        finally:
            sock.close()
        elapsed = (time.time() - started) * 1000
        self.environment.events.request.fire(
            request_type="STALL",
            name=f"stalled export: {outcome}",
            response_time=elapsed,
            response_length=len(received),
            response=type("Answer", (), {"status_code": status})(),
            exception=None,
            start_time=started,
            context={},
        )
