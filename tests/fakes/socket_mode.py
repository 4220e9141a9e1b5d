"""A local stand-in for Slack's Socket Mode WebSocket server (what `apps.connections.open` points at).

Just enough RFC 6455 for slack_sdk's built-in client over plain `ws://` on 127.0.0.1: the opening
handshake, unmasked text frames to the client, masked frames from it, ping/pong and close. Slack sends
`hello`, then envelopes (`slash_commands`, `interactive`, `events_api`); the app answers each with
`{"envelope_id": ..., "payload": ...}`, recorded in `acks`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import socketserver
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def frame(opcode: int, payload: bytes) -> bytes:
    """A server frame: final, unmasked."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return header + payload


def read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def read_frame(connection: socket.socket) -> tuple[int, bytes]:
    first, second = read_exactly(connection, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", read_exactly(connection, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", read_exactly(connection, 8))
    mask = read_exactly(connection, 4) if second & 0x80 else b"\0\0\0\0"
    payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(read_exactly(connection, length)))
    return first & 0x0F, payload


@dataclass
class FakeSocketMode:
    connections: list[socket.socket] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    handshakes: list[str] = field(default_factory=list)  # request paths, with their tickets

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    def start(self) -> FakeSocketMode:
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                fake._serve(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        with self._lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.close()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"ws://127.0.0.1:{port}/link/"

    # --- what tests use -------------------------------------------------------------------------

    def send(self, envelope: dict[str, Any]) -> None:
        """Send an envelope to the most recent connection."""
        with self._lock:
            connection = self.connections[-1]
        connection.sendall(frame(TEXT, json.dumps(envelope).encode()))

    def send_command(self, payload: dict[str, Any]) -> str:
        envelope_id = str(uuid.uuid4())
        self.send(
            {
                "envelope_id": envelope_id,
                "payload": payload,
                "type": "slash_commands",
                "accepts_response_payload": True,
            }
        )
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.received:
                    if message.get("envelope_id") == envelope_id:
                        return message
            time.sleep(0.02)
        raise AssertionError(f"no ack for {envelope_id}; received {self.received}")

    def wait_for_connection(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self.connections:
                    return
            time.sleep(0.02)
        raise AssertionError("no Socket Mode client connected")

    # --- the protocol ---------------------------------------------------------------------------

    def _serve(self, connection: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = connection.recv(4096)
            if not chunk:
                return
            request += chunk
        lines = request.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:] if ":" in line)
        }
        key = headers.get("sec-websocket-key")
        if headers.get("upgrade", "").lower() != "websocket" or not key:
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        connection.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        with self._lock:
            self.handshakes.append(lines[0].split(" ")[1])
            self.connections.append(connection)
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A111"},
        }
        connection.sendall(frame(TEXT, json.dumps(hello).encode()))
        try:
            while True:
                opcode, payload = read_frame(connection)
                if opcode == PING:
                    connection.sendall(frame(PONG, payload))
                elif opcode == CLOSE:
                    connection.sendall(frame(CLOSE, payload[:2]))
                    return
                elif opcode == TEXT:
                    with self._lock:
                        self.received.append(json.loads(payload))
        except (ConnectionError, OSError):
            return
