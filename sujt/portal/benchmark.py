"""`python manage.py bench`: the app measured as it runs in production, on the current database (issue 18).

The static files are collected into a temporary directory, gunicorn starts the app with two workers and
DEBUG off, and a pool of concurrent clients (threads over keep-alive HTTP connections, in this process)
requests each page for a fixed number of rounds. A page's figures are p50 and p95 latency in
milliseconds and throughput in requests per second; its floor is the portal's static help page requested
the same way by the same kind of client (the same middleware, session and user read, no data of its
own), and each figure is reported with its ratio to the floor.

Logged-in clients carry a session made in this process by Django's test client (`force_login`), which
writes it where the server reads sessions (the database, or Redis when REDIS_URL is set). Requests carry
X-Forwarded-Proto: https, so the production settings' HTTPS redirect and secure cookies hold as behind
the proxy.

Benchmarks measure; nothing here runs in the app.
"""

import contextlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent.parent
FLOOR_URL = "/help/"
# Directory searches of the fixed set: a two-character word, products and parameters, standard
# numbers; institution names are added from the database (see `search_queries`).
SEARCH_WORDS = ["水质", "钢筋", "大肠菌群", "GB 5009.12-2023", "GB/T 14848", "噪声"]
STARTUP_SECONDS = 60


@dataclass
class PageResult:
    name: str
    url: str
    who: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * 0.95) - 1))] if ordered else 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def as_dict(self, floor: "PageResult | None") -> dict[str, Any]:
        figures = {
            "name": self.name,
            "url": self.url,
            "who": self.who,
            "requests": len(self.latencies_ms),
            "errors": self.errors,
            "p50_ms": round(self.p50, 1),
            "p95_ms": round(self.p95, 1),
            "throughput_rps": round(self.throughput, 1),
        }
        if floor is not None and floor.p50 and floor.throughput:
            figures["p50_to_floor"] = round(self.p50 / floor.p50, 2)
            figures["p95_to_floor"] = round(self.p95 / floor.p95, 2) if floor.p95 else None
            figures["throughput_to_floor"] = round(self.throughput / floor.throughput, 2)
        return figures


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(static_root: str) -> dict[str, str]:
    """The environment gunicorn and collectstatic run with: this process's (its database, Redis and
    secret key), DEBUG off, the proxy header trusted so that HTTPS is what the client says."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sujt.settings",
            "DJANGO_DEBUG": "0",
            "STATIC_ROOT": static_root,
            "DJANGO_PROXY_SSL_HEADER": "X-Forwarded-Proto",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    env.setdefault(
        "DJANGO_SECRET_KEY", os.environ.get("DJANGO_SECRET_KEY") or "bench-" + os.urandom(24).hex()
    )
    return env


@contextlib.contextmanager
def gunicorn(*, workers: int = 2, threads: int = 1) -> Iterator[str]:
    """The app under gunicorn on a free local port, static files collected first; yields its base URL
    and stops it on exit."""
    with tempfile.TemporaryDirectory(prefix="sujt-bench-static-") as static_root:
        env = server_environment(static_root)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
        port = free_port()
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sujt.wsgi:application",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, process)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn 启动失败（退出码 {process.returncode}）")
        try:
            status, _ = fetch(base, FLOOR_URL)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn 在 {STARTUP_SECONDS} 秒内未就绪")


def fetch(base: str, url: str, cookie: str = "") -> tuple[int, int]:
    """One request on a new connection: (status, body length)."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", url, headers=_headers(cookie))
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def _headers(cookie: str) -> dict[str, str]:
    headers = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-hans", "User-Agent": "sujt-bench"}
    if cookie:
        headers["Cookie"] = cookie
    return headers


def drive(base: str, url: str, *, cookie: str = "", clients: int = 8, requests: int = 200) -> PageResult:
    """`requests` GETs of `url` spread over `clients` concurrent keep-alive connections; a response other
    than 200 counts as an error (and its time is not kept)."""
    result = PageResult(name=url, url=url, who="")
    parts = urllib.parse.urlsplit(base)
    lock = threading.Lock()
    remaining = [requests]

    def take() -> bool:
        with lock:
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
            return True

    def client() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            while take():
                started = time.perf_counter()
                try:
                    connection.request("GET", url, headers=_headers(cookie))
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    connection.close()
                    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if ok:
                        result.latencies_ms.append(elapsed)
                    else:
                        result.errors += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def session_cookie(user: Any) -> str:
    """A logged-in session for `user` (written where the server reads sessions), as a Cookie header."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
