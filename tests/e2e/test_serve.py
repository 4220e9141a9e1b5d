"""`ambassador-bot serve` as a real process: HTTP on PORT with signed requests, Socket Mode, and SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store.db import Database
from tests.conftest import MEMBER, OTHER
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET, SlackRequests
from tests.fakes.socket_mode import FakeSocketMode
from tests.helpers.factories import enrol

COMMAND = str(Path(sys.executable).parent / "ambassador-bot")
SECRETS = (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    log_path: Path
    url: str
    slack: SlackRequests

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def wait_for_log(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never logged; output:\n{self.output()}")


@pytest.fixture
def serve(tmp_path: Path, db: Database, fake_slack: FakeSlack) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*args: str, wait_healthy: bool = True, **settings: str) -> Served:
        port = free_port()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "PORT": str(port),
            "DATABASE_URL": db.url,
            "SLACK_API_URL": fake_slack.url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "LOG_LEVEL": "DEBUG",
            "REQUIRED_CONTRIBUTIONS": "4",
            **settings,
        }
        log_path = tmp_path / f"serve-{len(started)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [COMMAND, "serve", "--host", "127.0.0.1", *args],
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        served = Served(
            process, log_path, url, SlackRequests(url, response_url_base=fake_slack.response_url_base)
        )
        started.append(served)
        if wait_healthy:
            wait_until_healthy(served)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=10)


def wait_until_healthy(served: Served, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"serve exited with {served.process.returncode}:\n{served.output()}")
        try:
            if served.slack.get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"/healthz never answered:\n{served.output()}")


def assert_no_secrets(output: str) -> None:
    for secret in SECRETS:
        assert secret not in output
    assert "Traceback" not in output


def enrol_member(db: Database) -> None:
    # The process runs on the real clock: a term that began ten days ago, whatever today is.
    enrol(db, MEMBER, datetime.now(UTC).date() - timedelta(days=10), "Jane Doe")


# --- HTTP -------------------------------------------------------------------------------------


def test_serve_answers_signed_commands_and_stops_cleanly_on_sigterm(
    serve: Callable[..., Served], db: Database
) -> None:
    enrol_member(db)
    served = serve()

    health = served.slack.get("/healthz")
    help_reply = served.slack.command("help", MEMBER)
    status_reply = served.slack.command("status", MEMBER)
    body = b"command=%2Fambassador&text=status&user_id=U0MEMBER"
    forged = served.slack.post(body, "application/x-www-form-urlencoded", signature="v0=" + "0" * 64)
    stale = served.slack.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60)

    assert (health.status, health.json) == (200, {"status": "ok", "database": "ok"})
    assert help_reply.status == 200
    assert "/ambassador log" in help_reply.json["text"]
    assert status_reply.status == 200
    assert "0 of 4 contributions this term" in str(status_reply.json), status_reply.json
    assert (forged.status, stale.status) == (401, 401)
    assert served.stop() == 0
    output = served.output()
    assert "serving Slack on http://127.0.0.1:" in output
    assert "stopping" in output
    assert_no_secrets(output)


def test_serve_answers_concurrent_requests(serve: Callable[..., Served], db: Database) -> None:
    enrol_member(db)
    served = serve("--no-scheduler", "--threads", "8")

    def ask(number: int) -> tuple[int, str]:
        text, user = ("status", MEMBER) if number % 2 else ("help", OTHER)
        response = served.slack.command(text, user)
        return response.status, str(response.json)

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(ask, range(20)))

    assert [status for status, _ in answers] == [200] * 20
    assert all("0 of 4 contributions this term" in body for status, body in answers[1::2])
    assert all("/ambassador log" in body for status, body in answers[0::2])
    assert served.stop() == 0
    assert_no_secrets(served.output())


# --- Socket Mode ------------------------------------------------------------------------------


@pytest.fixture
def socket_mode(fake_slack: FakeSlack) -> Iterator[FakeSocketMode]:
    server = FakeSocketMode().start()
    fake_slack.socket_mode_url = server.url
    yield server
    server.stop()


def command_payload(text: str, user_id: str, fake: FakeSlack) -> dict[str, Any]:
    return {
        "token": "verification_token",
        "team_id": "T111",
        "team_domain": "example-community",
        "channel_id": "C0GENERAL",
        "channel_name": "general",
        "user_id": user_id,
        "user_name": "jane.doe",
        "command": "/ambassador",
        "text": text,
        "api_app_id": "A111",
        "is_enterprise_install": "false",
        "response_url": f"{fake.response_url_base}commands/T111/1/xxxxx",
        "trigger_id": "111.222.socket",
    }


@pytest.mark.sqlite_only
def test_socket_mode_is_chosen_with_an_app_token_and_answers_over_the_websocket(
    serve: Callable[..., Served], socket_mode: FakeSocketMode, fake_slack: FakeSlack, db: Database
) -> None:
    enrol_member(db)
    served = serve("--no-scheduler", wait_healthy=False, SLACK_APP_TOKEN=APP_TOKEN)

    socket_mode.wait_for_connection()
    served.wait_for_log("connected to Slack in Socket Mode")
    help_ack = socket_mode.wait_for_ack(socket_mode.send_command(command_payload("help", MEMBER, fake_slack)))
    status_ack = socket_mode.wait_for_ack(
        socket_mode.send_command(command_payload("status", MEMBER, fake_slack))
    )

    assert "apps.connections.open" in fake_slack.methods()
    assert socket_mode.handshakes[0].startswith("/link/?ticket=fake-ticket")
    assert "/ambassador log" in help_ack["payload"]["text"]
    assert "0 of 4 contributions this term" in str(status_ack["payload"])
    with pytest.raises(OSError):  # no HTTP port in Socket Mode
        served.slack.get("/healthz")
    assert served.stop() == 0
    output = served.output()
    assert "closing the Socket Mode connection" in output
    assert_no_secrets(output)


@pytest.mark.sqlite_only
def test_socket_mode_that_cannot_connect_logs_retries_and_still_stops(
    serve: Callable[..., Served], fake_slack: FakeSlack
) -> None:
    # apps.connections.open answers, but its URL is not a WebSocket (the fake's default).
    served = serve("--no-scheduler", wait_healthy=False, SLACK_APP_TOKEN=APP_TOKEN)

    served.wait_for_log("Socket Mode connection not established yet; retrying in the background")

    assert served.process.poll() is None  # still running, retrying
    assert served.stop() == 0
    output = served.output()
    assert "Received an unexpected response for handshake (status: 404" in output
    assert_no_secrets(output)


@pytest.mark.sqlite_only
def test_socket_mode_with_a_token_slack_refuses_exits_with_a_clear_message(
    serve: Callable[..., Served], fake_slack: FakeSlack
) -> None:
    served = serve("--no-scheduler", wait_healthy=False, SLACK_APP_TOKEN="xapp-1-not-the-right-one")

    assert served.process.wait(timeout=30) == 2
    output = served.output()
    assert (
        "ambassador-bot: Slack refused to open a Socket Mode connection (invalid_auth): SLACK_APP_TOKEN must be "
        "the app-level token (xapp-...) with the connections:write scope"
    ) in output
    assert "xapp-1-not-the-right-one" not in output
    assert_no_secrets(output)
