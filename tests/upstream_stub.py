"""An upstream for the proxy's tests: an HTTP/1.1 server that records what reaches it."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import h11

from trackly_validate.doors.server.runner import free_port

HOST = "127.0.0.1"


# --- the upstream stub --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Received:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name.lower()), None)


class UpstreamStub:
    """An HTTP/1.1 server (asyncio + h11, keep-alive) in a thread that records each request
    once it is wholly received, then answers 200 ``{"received": n}`` with two Set-Cookie
    headers.  The query steers it: ``delay=S`` waits before answering, ``status=N``
    answers N with ``{"error", "code": "stub_code"}``, ``chunked=1`` answers chunked,
    ``cut=N`` declares N bytes, sends half and drops the connection, ``stream=N&pause=S``
    answers N chunks of 16 KiB, S seconds apart, ``eof=N`` N bytes ended by closing.
    :meth:`stop` aborts every open connection (a crash, not a graceful shutdown)."""

    def __init__(self, port: int | None = None, ssl: Any = None):
        self.port = port or free_port()
        self.ssl = ssl  # an ssl.SSLContext: the stub speaks HTTPS
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.base_events.Server | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.ssl is not None else 'http'}://{HOST}:{self.port}"

    def start(self) -> "UpstreamStub":
        ready = threading.Event()

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            self._server = loop.run_until_complete(asyncio.start_server(self._client, HOST, self.port,
                                                                        reuse_address=True, ssl=self.ssl))
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(5)
        return self

    def stop(self) -> None:
        async def crash() -> None:
            assert self._server is not None
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._server.wait_closed()
            await asyncio.sleep(0.01)  # the aborted sockets close on the next turns of the loop

        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(crash(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        self._loop = self._thread = None

    def __enter__(self) -> "UpstreamStub":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def bodies(self) -> list[bytes]:
        with self._lock:
            return [r.body for r in self.received]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        conn = h11.Connection(h11.SERVER)
        try:
            while True:
                request, body = None, bytearray()
                while True:
                    event = conn.next_event()
                    if event is h11.NEED_DATA:
                        data = await reader.read(65536)
                        conn.receive_data(data)
                        if not data and conn.their_state is h11.DONE:
                            return
                        if not data:
                            return
                        continue
                    if isinstance(event, h11.Request):
                        request = event
                    elif isinstance(event, h11.Data):
                        body += event.data
                    elif isinstance(event, h11.EndOfMessage):
                        break
                    elif isinstance(event, h11.ConnectionClosed):
                        return
                assert request is not None
                seen = Received(request.method.decode(), request.target.decode("latin-1"),
                                [(k.decode(), v.decode("latin-1")) for k, v in request.headers], bytes(body))
                with self._lock:
                    self.received.append(seen)
                    n = len(self.received)
                query = parse_qs(urlsplit(seen.target).query)
                if "delay" in query:
                    await asyncio.sleep(float(query["delay"][0]))
                if "cut" in query:
                    size = int(query["cut"][0])
                    writer.write(conn.send(h11.Response(status_code=200, headers=[("content-length", str(size))]))
                                 + conn.send(h11.Data(data=b"x" * (size // 2))))
                    await writer.drain()
                    writer.transport.abort()
                    return
                if "eof" in query:  # an answer without a length, ended by closing the connection
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n"
                                 + b"e" * int(query["eof"][0]))
                    await writer.drain()
                    return
                if "stream" in query:  # a long chunked answer: N chunks of 16 KiB, `pause` s apart
                    writer.write(conn.send(h11.Response(status_code=200, headers=[
                        ("content-type", "application/octet-stream"), ("transfer-encoding", "chunked")])))
                    for _ in range(int(query["stream"][0])):
                        writer.write(conn.send(h11.Data(data=b"s" * 16384)))
                        await writer.drain()
                        await asyncio.sleep(float(query.get("pause", ["0"])[0]))
                    writer.write(conn.send(h11.EndOfMessage()))
                    await writer.drain()
                    conn.start_next_cycle()
                    continue
                status = int(query.get("status", ["200"])[0])
                payload = json.dumps({"received": n} if status < 400 else
                                     {"error": "from the stub", "code": "stub_code"}).encode()
                headers = [("content-type", "application/json"), ("x-stub", "yes"),
                           ("set-cookie", "a=1"), ("set-cookie", "b=2")]
                if "chunked" in query:
                    headers.append(("transfer-encoding", "chunked"))
                else:
                    headers.append(("content-length", str(len(payload))))
                out = conn.send(h11.Response(status_code=status, headers=headers))
                if request.method != b"HEAD":
                    out += conn.send(h11.Data(data=payload[:10])) + conn.send(h11.Data(data=payload[10:]))
                out += conn.send(h11.EndOfMessage())
                writer.write(out)
                await writer.drain()
                if conn.our_state is h11.MUST_CLOSE:
                    return
                conn.start_next_cycle()
        except (ConnectionError, h11.ProtocolError):
            return
        finally:
            self._writers.discard(writer)
            writer.close()


