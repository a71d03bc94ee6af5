"""A small TCP round-robin balancer for `make load-cluster` (load/cluster.sh).

Why it exists: the cluster rehearsal puts two gunicorn hosts behind one address, as nginx or haproxy would in
production, but neither is installed on the machine the rehearsal runs on, and the rehearsal must run from a fresh
clone. So this stdlib asyncio proxy stands in for them: each incoming connection goes to the next backend in turn;
when that backend refuses the connection (its host is down) the next one is tried at once and the refusing one is
left out for DOWN_FOR seconds, as a balancer with health checks would stop sending to a dead host. Only requests
already in flight on a host that dies fail.

    python load/balancer.py --listen 127.0.0.1:8100 --stats FILE 127.0.0.1:8101 127.0.0.1:8102

On SIGTERM it writes its counts (connections per backend, refusals, connections cut by a dying backend) as JSON to
FILE and exits. gunicorn's sync workers close the connection after each response, so each request is a connection
of its own and round-robin spreads requests, not just clients.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import signal
import time
from pathlib import Path

CHUNK = 64 * 1024
DOWN_FOR = 2.0  # seconds a backend that refused a connection is skipped, as a failed health check would take it out


class Balancer:
    def __init__(self, backends: list[tuple[str, int]]):
        self.backends = backends
        self.turn = itertools.count()
        self.down_until = {f"{h}:{p}": 0.0 for h, p in backends}
        self.stats = {
            "connections": {f"{h}:{p}": 0 for h, p in backends},
            "refused": {f"{h}:{p}": 0 for h, p in backends},
            "cut": {f"{h}:{p}": 0 for h, p in backends},
            "no_backend": 0,
            "cut_at": [],
        }

    async def _connect(self):
        start, now = next(self.turn), time.monotonic()
        order = [self.backends[(start + k) % len(self.backends)] for k in range(len(self.backends))]
        # the backends taken out go last: tried only when no other answers
        order.sort(key=lambda b: self.down_until[f"{b[0]}:{b[1]}"] > now)
        for host, port in order:
            try:
                reader, writer = await asyncio.open_connection(host, port)
            except OSError:
                self.stats["refused"][f"{host}:{port}"] += 1
                self.down_until[f"{host}:{port}"] = time.monotonic() + DOWN_FOR
                continue
            self.stats["connections"][f"{host}:{port}"] += 1
            return f"{host}:{port}", reader, writer
        return None, None, None

    async def handle(self, client_reader, client_writer):
        name, reader, writer = await self._connect()
        if name is None:
            self.stats["no_backend"] += 1
            client_writer.close()
            return
        sent, answered = [0], [0]
        upstream = asyncio.create_task(_pipe(client_reader, writer, sent))
        downstream = asyncio.create_task(_pipe(reader, client_writer, answered))
        await asyncio.wait({upstream, downstream}, return_when=asyncio.FIRST_COMPLETED)
        if downstream.done() and (downstream.result() == "reset" or (sent[0] and not answered[0])):
            # The backend hung up on a request without an answer, or its connection broke: its host was killed and
            # the client's request is lost with it (a killed process's socket may close with a FIN, not a reset).
            self.stats["cut"][name] += 1
            self.stats["cut_at"].append(round(time.time(), 3))
        await asyncio.wait({upstream, downstream}, timeout=1)
        for task in (upstream, downstream):
            task.cancel()
        for stream in (writer, client_writer):
            with contextlib.suppress(Exception):
                stream.close()


async def _pipe(reader, writer, count: list[int]) -> str:
    """Copy one direction until its end, counting the bytes: "eof" after an orderly close, "reset" when the
    connection broke."""
    try:
        while data := await reader.read(CHUNK):
            count[0] += len(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        return "reset"
    with contextlib.suppress(Exception):
        writer.write_eof()
    return "eof"


async def serve(listen: tuple[str, int], backends: list[tuple[str, int]], stats: Path | None) -> None:
    balancer = Balancer(backends)
    server = await asyncio.start_server(balancer.handle, *listen, backlog=512)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    if stats:
        stats.write_text(json.dumps(balancer.stats, indent=1), encoding="utf-8")


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, type=_address)
    parser.add_argument("--stats", type=Path)
    parser.add_argument("backends", nargs="+", type=_address)
    args = parser.parse_args()
    asyncio.run(serve(args.listen, args.backends, args.stats))


if __name__ == "__main__":
    main()
