"""Politeness benchmark: two loopback hosts, 50 pages each, 2 requests per second per host.

Not a unit test: it takes about 25 s. Each host must take at least 24.5 s for its 51
requests (robots.txt and 50 pages, one start every 0.5 s), and the two hosts must proceed
in parallel, so the whole run takes about 25 s, not 50.

    python -m bench.fetch [--pages 50] [--rate 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

from schemas import FetchPolicy, FetchRequest
from tasks.sources.fetch import Fetcher

PAGE = ("<html><head><title>Page {n}</title></head><body><article><h1>Page {n}</h1>"
        "<p>Un billet de démonstration pour le banc d'essai de politesse.</p></article></body></html>")


class _Handler(BaseHTTPRequestHandler):
    starts: list[float]
    ends: list[float]

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.starts.append(time.monotonic())
        if self.path == "/robots.txt":
            body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
        else:
            body, kind = PAGE.format(n=self.path.strip("/")).encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.ends.append(time.monotonic())


def serve() -> tuple[ThreadingHTTPServer, tuple[list[float], list[float]]]:
    """A loopback host that records when each request arrives and when its answer is sent."""
    starts: list[float] = []
    ends: list[float] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Handler,), {"starts": starts, "ends": ends}))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, (starts, ends)


def run(pages: int, rate: float) -> dict:
    servers = [serve() for _ in range(2)]
    try:
        hosts = [f"http://127.0.0.1:{s.server_address[1]}" for s, _ in servers]
        policy = FetchPolicy(requests_per_second=rate, allow_private=True, timeout_seconds=10)
        requests = [FetchRequest(url=f"{host}/{n}/") for n in range(pages) for host in hosts]
        fetcher = Fetcher(policy)
        started = time.monotonic()
        results = fetcher.fetch_many(requests)
        wall = time.monotonic() - started
    finally:
        for server, _ in servers:
            server.shutdown()
            server.server_close()
    per_host = {}
    for host, (_, (starts, ends)) in zip(hosts, servers, strict=True):
        done = [r for r in results if r.url.startswith(host)]
        gaps = [b - a for a, b in pairwise(starts)]
        per_host[host] = dict(requests=len(starts), pages_ok=sum(r.outcome == "ok" for r in done),
                              fetch_seconds=round(max(ends) - started, 2),
                              first_to_last_request_seconds=round(starts[-1] - starts[0], 2),
                              mean_gap_seconds=round(sum(gaps) / len(gaps), 3), min_gap_seconds=round(min(gaps), 3))
    return dict(pages_per_host=pages, requests_per_second=rate, wall_seconds=round(wall, 2), hosts=per_host)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = run(args.pages, args.rate)
    floor = args.pages / args.rate  # robots.txt plus `pages` requests: `pages` intervals
    print(json.dumps(figures, indent=1))
    slowest = max(h["fetch_seconds"] for h in figures["hosts"].values())
    ok = all(h["fetch_seconds"] >= floor for h in figures["hosts"].values()) and figures["wall_seconds"] < 1.5 * floor
    print(f"each host >= {floor:.1f} s: {all(h['fetch_seconds'] >= floor for h in figures['hosts'].values())}; "
          f"hosts in parallel (wall {figures['wall_seconds']:.1f} s for a slowest host of {slowest:.1f} s): "
          f"{figures['wall_seconds'] < 1.5 * floor}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1) + "\n", "utf-8")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
