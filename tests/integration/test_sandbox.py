"""The sandbox put together on each database: the real bot answering the Slack stand-in, seeding,
the clock and the jobs, the page's endpoints and what they refuse, and a sandbox started again."""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.sandbox import web
from bot.sandbox.app import Sandbox
from bot.sandbox.block_actions import ActionError
from bot.sandbox.seed import NEWCOMER, REVIEW_CHANNEL, TSC_USER
from bot.sandbox.slack_client import SlackClient
from bot.sandbox.snapshot import snapshot
from bot.settings import Settings
from bot.store.models import Contribution, Member, MemberStatus

START = datetime(2026, 3, 15, 10, tzinfo=UTC)
IVAN = "UTCN3ET4M"  # an ambassador of the sample members file


@pytest.fixture
def sandbox(database_url: str, tmp_path: Path) -> Iterator[Sandbox]:
    running = Sandbox(
        Settings(_env_file=None),  # type: ignore[call-arg]
        database_url,
        state_path=tmp_path / "sandbox.json",
        start_at=START,
    ).start()
    yield running
    running.stop()


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Wait for what the bot does after answering (Bolt runs listeners on a thread pool)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.02)
    raise AssertionError("timed out waiting")


def open_modal(sandbox: Sandbox, person: str, callback_id: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        stack = sandbox.standin.modals.get(person) or []
        view = sandbox.standin.views.get(stack[-1]) if stack else None
        ready = view and view.get("callback_id") == callback_id and view.get("submit")
        return view if ready else None  # the form itself, not the placeholder shown while it loads

    view: dict[str, Any] = wait_until(found)
    return view


def test_a_fresh_sandbox_is_seeded_from_the_sample_members_file(sandbox: Sandbox) -> None:
    with sandbox.db.read_only() as session:
        active = session.scalar(select(func.count()).where(Member.status == MemberStatus.ACTIVE))
        emeritus = session.scalar(select(func.count()).where(Member.status == MemberStatus.EMERITUS))
        contributions = session.scalar(select(func.count()).select_from(Contribution))
    assert active == 9
    assert emeritus and emeritus > 0
    assert contributions and contributions > 63  # the file's 63 and this term's few
    people = snapshot(sandbox, NEWCOMER)["people"]
    roles = {person["id"]: person["role"] for person in people}
    assert roles[NEWCOMER] == "newcomer" and roles[TSC_USER] == "TSC" and roles[IVAN] == "ambassador"
    assert {channel["name"] for channel in snapshot(sandbox, NEWCOMER)["channels"]} == {
        "general",
        "ambassador-review",
        "announcements",
    }
    assert sandbox.github.file("master", "AMBASSADORS_MEMBERS.yaml")


def test_a_reply_is_shown_to_its_person_only(sandbox: Sandbox) -> None:
    answer = sandbox.slack.command(IVAN, "C0GENERAL", "status")

    assert answer.status == 200 and not answer.error
    mine = snapshot(sandbox, IVAN)["conversations"]["C0GENERAL"]
    assert len(mine) == 1 and mine[0]["ephemeral"] and "contributions" in mine[0]["text"]
    assert snapshot(sandbox, NEWCOMER)["conversations"]["C0GENERAL"] == []


def test_field_errors_come_back_as_slack_shows_them_and_a_closed_form_cannot_be_sent_again(
    sandbox: Sandbox,
) -> None:
    sandbox.slack.command(NEWCOMER, "D0NEWCOMER", "apply")
    view = open_modal(sandbox, NEWCOMER, "application_submit")
    values = {
        "name": {"value": "Nora Newcomer"},
        "title": {"value": "Developer advocate"},
        "bio": {"value": "Writes about events."},
        "github": {"value": "not a handle!"},
        "contributions": {"value": "talk https://youtu.be/n1 2026-02 A talk"},
        "motivation": {"value": "To help."},
    }

    refused = sandbox.slack.submit(NEWCOMER, view["id"], values)

    assert refused["closed"] is False and "github" in refused.get("errors", {}), refused
    values["github"] = {"value": "noranewcomer"}
    assert sandbox.slack.submit(NEWCOMER, view["id"], values) == {"closed": True}
    with pytest.raises(ActionError, match="already submitted"):
        sandbox.slack.submit(NEWCOMER, view["id"], values)
    review = wait_until(lambda: [m for m in sandbox.standin.messages if m.channel == REVIEW_CHANNEL])
    assert "Nora Newcomer" in review[-1].text


def test_going_to_a_date_runs_each_due_job_once_on_the_sandbox_clock(sandbox: Sandbox) -> None:
    runs = sandbox.jobs.go_to(START + timedelta(days=245))

    ran = [run.name for run in runs]
    for name in ("announce", "reminders", "renewals", "digest", "publish"):
        assert ran.count(name) == 1, ran
    assert sandbox.clock() >= START + timedelta(days=245)
    report = [
        m
        for m in sandbox.standin.messages
        if m.channel == REVIEW_CHANNEL and "verification" in m.text.lower()
    ]
    assert report, [m.text for m in sandbox.standin.messages]
    # Slack's timestamps follow the sandbox's clock, as the outbox's history check expects.
    assert float(report[-1].ts) >= (START + timedelta(days=245)).timestamp()
    # A minute later nothing scheduled is due again: each ran once, as the scheduler coalesces.
    again = sandbox.jobs.go_to(START + timedelta(days=245, minutes=1))
    assert [run.name for run in again if run.name not in sandbox.jobs.interval_jobs] == []


def test_the_publish_job_opens_a_pull_request_on_the_github_stand_in(sandbox: Sandbox) -> None:
    sandbox.slack.command(IVAN, "C0GENERAL", "log talk https://example.org/ivan/new 2026-03-14 A new talk")

    run = sandbox.jobs.run_now("publish")

    assert "publish" in run.summary
    (pull,) = snapshot(sandbox, IVAN)["github"]["pulls"]
    assert pull["state"] == "open" and "AMBASSADORS_MEMBERS.yaml" in pull["diff"]
    assert "A new talk" in pull["diff"]


@pytest.mark.sqlite_only
def test_a_bot_that_does_not_answer_in_time_is_reported_as_slack_reports_it(sandbox: Sandbox) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection, never answers
        client = SlackClient(sandbox.standin, f"http://127.0.0.1:{silent.getsockname()[1]}", "secret")

        answer = client.command(NEWCOMER, "C0GENERAL", "help")

    assert answer.error == "operation_timeout"
    (told,) = snapshot(sandbox, NEWCOMER)["conversations"]["C0GENERAL"]
    assert told["text"] == '/ambassador failed with the error "operation_timeout"'


def call(
    sandbox: Sandbox, method: str, path: str, body: bytes = b"", **headers: str
) -> tuple[str, dict[str, Any]]:
    answered: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answered["status"] = status

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": path.split("?")[1] if "?" in path else "",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "HTTP_HOST": "127.0.0.1:3000",
        "wsgi.input": io.BytesIO(body),
        **headers,
    }
    payload = b"".join(web.application(sandbox)(environ, start_response))
    return answered["status"], json.loads(payload)


@pytest.mark.sqlite_only
def test_the_page_gets_a_clear_sentence_for_bad_input(sandbox: Sandbox) -> None:
    cases = [
        (
            "/sandbox/command",
            {"as": "U0NOBODY", "channel": "C0GENERAL", "text": "help"},
            "no person U0NOBODY",
        ),
        ("/sandbox/command", {"as": NEWCOMER, "channel": "C0SECRET", "text": "help"}, "no channel"),
        ("/sandbox/submit", {"as": NEWCOMER, "view_id": "V999999", "values": {}}, "form is closed"),
        ("/sandbox/close", {"as": NEWCOMER, "view_id": "V999999"}, "form is closed"),
        ("/sandbox/jobs", {"name": "rm -rf"}, "no job"),
        ("/sandbox/clock", {"to": "next Tuesday"}, "not a date"),
        ("/sandbox/clock", {"to": "2020-01-01T10:00"}, "only goes forward"),
        ("/sandbox/message", {"as": NEWCOMER, "channel": "D0NEWCOMER", "text": "x" * 5000}, "too long"),
    ]
    for path, body, words in cases:
        status, answer = call(sandbox, "POST", path, json.dumps(body).encode())
        assert status.startswith("400"), (path, answer)
        assert words in answer["error"], (path, answer)
    status, answer = call(sandbox, "POST", "/sandbox/command", b"x" * 70_000)
    assert status.startswith("400") and "too much" in answer["error"]
    status, answer = call(sandbox, "POST", "/sandbox/command", b"[1, 2]")
    assert status.startswith("400") and "JSON object" in answer["error"]
    status, _ = call(sandbox, "GET", "/static/../../settings.py")
    assert status.startswith("404")


@pytest.mark.sqlite_only
def test_pages_elsewhere_cannot_act_in_the_sandbox(sandbox: Sandbox) -> None:
    body = json.dumps({"as": NEWCOMER, "channel": "C0GENERAL", "text": "help"}).encode()

    # A form posted by another site (no preflight): refused before anything happens.
    status, _ = call(sandbox, "POST", "/sandbox/command", body, CONTENT_TYPE="text/plain")
    assert status.startswith("415")
    # A name of the attacker's that resolves to 127.0.0.1 (DNS rebinding): refused.
    status, _ = call(sandbox, "POST", "/sandbox/command", body, HTTP_HOST="evil.example:3000")
    assert status.startswith("403")
    status, _ = call(sandbox, "GET", "/sandbox/state?as=U0NEWCOMER", HTTP_HOST="evil.example")
    assert status.startswith("403")
    assert sandbox.standin.ephemerals == []
    status, _ = call(sandbox, "GET", "/sandbox/state?as=U0NEWCOMER", HTTP_HOST="[::1]:3000")
    assert status.startswith("200")


def test_a_sandbox_started_again_has_its_conversations_and_its_time(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    state = tmp_path / "sandbox.json"
    first = Sandbox(settings, database_url, state_path=state, start_at=START).start()
    first.jobs.go_to(START + timedelta(days=2))
    first.slack.message(NEWCOMER, "D0NEWCOMER", "hello bot")
    wait_until(lambda: len([m for m in first.standin.messages if m.channel == "D0NEWCOMER"]) == 2)
    first.stop()

    again = Sandbox(settings, database_url, state_path=state, start_at=START).start()
    try:
        texts = [m.text for m in again.standin.messages if m.channel == "D0NEWCOMER"]
        assert texts[0] == "hello bot" and len(texts) == 2
        assert again.clock() >= START + timedelta(days=2)
    finally:
        again.stop()


@pytest.mark.sqlite_only
def test_live_updates_tell_each_change_and_end_by_themselves(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web, "STREAM_SECONDS", 0.2)
    monkeypatch.setattr(web, "STREAM_HEARTBEAT_SECONDS", 0.1)
    ended: list[bool] = []
    stream = web.stream(sandbox, "", lambda: ended.append(True))

    assert next(stream) == b"retry: 1000\n\n"
    first = next(stream)
    assert first.startswith(b"data: ")
    sandbox.standin.touch()
    assert (
        json.loads(next(stream).removeprefix(b"data: "))["version"]
        > json.loads(first.removeprefix(b"data: "))["version"]
    )
    rest = list(stream)  # heartbeats until the stream's time is up
    assert rest and all(line.startswith(b": ") for line in rest)
    assert ended == [True]
