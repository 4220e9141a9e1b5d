"""`ambassador-bot sandbox` and `make run`'s `serve --or-sandbox`, as a person starts them: the installed
console script in a real process, with no Slack settings."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import COMMAND, run

START_TIMEOUT = 30.0


def environment(cwd: Path, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(cwd), "LANG": "C.UTF-8", **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Running:
    def __init__(self, process: subprocess.Popen[str], url: str, lines: list[str]) -> None:
        self.process = process
        self.url = url
        self.lines = lines

    def get(self, path: str) -> dict[str, object]:
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as response:
            answer: dict[str, object] = json.loads(response.read())
            return answer


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    processes: list[subprocess.Popen[str]] = []

    def launch(*args: str, **env: str) -> Running:
        process = subprocess.Popen(
            [COMMAND, *args],
            cwd=tmp_path,
            env=environment(tmp_path, **env),
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        processes.append(process)
        lines: list[str] = []
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "open http://" in line:
                url = line.split("open ", 1)[1].split(" ", 1)[0]
                return Running(process, url, lines)
        raise AssertionError(f"the sandbox did not start: {''.join(lines)}")

    yield launch
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)


def test_the_sandbox_starts_seeded_on_its_own_file_and_stops_cleanly(
    start: Callable[..., Running], tmp_path: Path
) -> None:
    sandbox = start("sandbox", "--port", "0", "--now", "2026-03-15T10:00")

    assert sandbox.url.startswith("http://127.0.0.1:")
    state = sandbox.get("/sandbox/state?as=U0NEWCOMER")
    people = state["people"]
    assert isinstance(people, list)
    names = {person["name"] for person in people}
    assert {"Nora Newcomer", "Tess Council", "Daniel Kocot"} <= names
    assert (tmp_path / "sandbox.db").exists() and not (tmp_path / "ambassador-bot.db").exists()
    with urllib.request.urlopen(sandbox.url, timeout=10) as page:
        assert b"ambassador-bot" in page.read()
    sandbox.process.send_signal(signal.SIGTERM)
    assert sandbox.process.wait(timeout=15) == 0
    assert (tmp_path / "sandbox.db.slack.json").exists()  # the conversations are kept for next time


def test_make_run_without_slack_settings_starts_the_sandbox_with_one_line(
    start: Callable[..., Running],
) -> None:
    sandbox = start("serve", "--or-sandbox", PORT=str(free_port()))

    assert any("local sandbox" in line and "Creating the Slack app" in line for line in sandbox.lines)
    assert sandbox.get("/healthz") == {"status": "ok"}


def test_the_example_placeholders_still_get_the_refusal(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-your-bot-token", "SLACK_SIGNING_SECRET": "your-signing-secret"}

    result = run("serve", "--or-sandbox", cwd=tmp_path, env=env)

    assert result.returncode == 2
    assert "still the example from .env.example" in result.stderr
    assert not (tmp_path / "sandbox.db").exists()


def test_another_host_gets_a_warning(start: Callable[..., Running]) -> None:
    sandbox = start("sandbox", "--port", "0", "--host", "0.0.0.0")

    assert any("warning" in line and "no login" in line for line in sandbox.lines)


def test_fresh_never_touches_a_database_given_by_url(tmp_path: Path) -> None:
    result = run("sandbox", "--fresh", "--database-url", f"sqlite:///{tmp_path}/mine.db", cwd=tmp_path)

    assert result.returncode == 2
    assert "--fresh" in result.stderr and "Traceback" not in result.stderr
