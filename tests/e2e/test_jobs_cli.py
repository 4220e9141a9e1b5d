"""`ambassador-bot jobs list | run`, `ambassador-bot scheduler` and `serve` with and without the scheduler."""

from __future__ import annotations

import json
import os
import pty
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.main import main
from bot.outbox.queue import enqueue
from bot.store.db import Database
from bot.store.models import Member
from tests.conftest import ANNOUNCE_CHANNEL, MEMBER, OTHER, REVIEW_CHANNEL, TSC
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.fakes.slack_requests import SIGNING_SECRET
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, outbox
from tests.paths import ROOT


@pytest.fixture
def environment(
    db: Database, fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    values = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": db.url,
        "REVIEW_CHANNEL": REVIEW_CHANNEL,
        "ANNOUNCE_CHANNEL": ANNOUNCE_CHANNEL,
        "TIMEZONE": "UTC",
        "SEND_RATE_PER_SECOND": "0",
        # Tests must not depend on the hour they run at.
        "LOCAL_SEND_HOURS": "0-24",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return values


def behind_pace(db: Database) -> None:
    member = enrol(db, MEMBER, date(2026, 3, 2))
    add_contribution(db, member, date(2026, 4, 1))


def test_jobs_list_shows_each_job_its_schedule_and_next_run(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REMINDERS_SCHEDULE", "30 8 * * mon")

    assert main(["jobs", "list"]) == 0

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["JOB", "SCHEDULE", "NEXT", "RUN", "WHAT"]
    by_name = {line.split()[0]: line for line in lines[1:6]}
    assert sorted(by_name) == ["announce", "digest", "reminders", "renewals", "sender"]
    assert "30 8 * * mon" in by_name["reminders"] and "UTC" in by_name["reminders"]
    assert "0 10 1 * *" in by_name["digest"]
    assert "every 30 s" in by_name["sender"]
    assert "TIMEZONE=UTC" in out


def test_a_dry_run_prints_who_would_get_what_and_changes_nothing(
    db: Database,
    fake_slack: FakeSlack,
    environment: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    behind_pace(db)

    assert main(["jobs", "run", "reminders", "--now", "2026-11-24T10:00", "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "reminders: 1 due, 1 new, 0 queued (dry run: nothing written or sent)" in out
    assert (
        "[would send] reminder:U0MEMBER:2026-11 → Jane Doe (U0MEMBER)\n      :wave: A friendly nudge" in out
    )
    assert outbox(db) == [] and fake_slack.calls == []


def test_jobs_run_queues_and_sends_once(
    db: Database,
    fake_slack: FakeSlack,
    environment: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    behind_pace(db)

    assert main(["jobs", "run", "reminders", "--now", "2026-11-24T10:00:00+00:00", "--yes"]) == 0
    assert main(["jobs", "run", "reminders", "--now", "2026-11-24T11:00:00+00:00", "--yes"]) == 0

    first, second = capsys.readouterr().out.split("reminders: ")[1:]
    assert "1 due, 1 new, 1 queued, 1 sent" in first and "[queued] reminder:U0MEMBER:2026-11" in first
    assert "1 due, 0 new, 0 queued" in second and "[already queued or sent]" in second
    assert len(fake_slack.messages_in("D0MEMBER")) == 1


def test_the_sender_job_delivers_what_is_left_and_reports_failures(
    db: Database,
    fake_slack: FakeSlack,
    environment: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    with db.transaction() as session:
        enqueue(
            session,
            key="lost",
            kind="test",
            channel="C0NOWHERE",
            text="x",
            now=at("2020-01-01T00:00:00+00:00"),
        )
    assert main(["jobs", "run", "sender"]) == 0
    assert main(["jobs", "run", "sender"]) == 0

    assert "1 failed" in capsys.readouterr().out
    (alert,) = fake_slack.messages_in(REVIEW_CHANNEL)
    assert "`lost`" in alert.text and "channel_not_found" in alert.text


def test_bad_input_gets_one_clear_line_and_status_2(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", "run", "digest", "--now", "next tuesday"]) == 2
    assert "--now 'next tuesday' is not an ISO-8601 date and time" in capsys.readouterr().err

    monkeypatch.setenv("DIGEST_SCHEDULE", "0 10 1 *")
    monkeypatch.setenv("LOCAL_SEND_HOURS", "18-9")
    assert main(["jobs", "list"]) == 2
    err = capsys.readouterr().err
    assert "DIGEST_SCHEDULE: '0 10 1 *' is not a cron schedule" in err
    assert "LOCAL_SEND_HOURS: the range must be START-END" in err

    monkeypatch.delenv("DIGEST_SCHEDULE")
    monkeypatch.delenv("LOCAL_SEND_HOURS")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "")
    assert main(["jobs", "run", "digest"]) == 2
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err
    assert main(["jobs", "run", "digest", "--dry-run"]) == 0  # a preview needs no Slack


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(args: list[str], environment: dict[str, str], **extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, **environment, "SENDER_INTERVAL_SECONDS": "1", **extra}
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen[bytes]) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=20)
    return output.decode()


def queue_welcome(db: Database) -> None:
    with db.transaction() as session:
        enqueue(
            session,
            key="welcome:1",
            kind="welcome",
            channel=MEMBER,
            text="hi",
            now=at("2020-01-01T00:00:00+00:00"),
        )


@pytest.mark.sqlite_only
def test_serve_runs_the_scheduler_in_process(
    db: Database, fake_slack: FakeSlack, environment: dict[str, str]
) -> None:
    queue_welcome(db)
    process = start(["serve", "--host", "127.0.0.1"], environment, PORT=str(free_port()))
    try:
        fake_slack.wait_for(lambda: fake_slack.messages, timeout=20)
    finally:
        output = stop(process)
    assert "scheduled jobs running in this process" in output
    assert [m.channel for m in fake_slack.messages] == ["D0MEMBER"]


@pytest.mark.sqlite_only
def test_serve_no_scheduler_leaves_the_jobs_to_another_process(
    db: Database, fake_slack: FakeSlack, environment: dict[str, str]
) -> None:
    queue_welcome(db)
    port = free_port()
    web = start(["serve", "--host", "127.0.0.1", "--no-scheduler"], environment, PORT=str(port))
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        time.sleep(1)
        assert fake_slack.messages == []

        scheduler = start(["scheduler"], environment)
        try:
            fake_slack.wait_for(lambda: fake_slack.messages, timeout=20)
        finally:
            output = stop(scheduler)
        assert scheduler.returncode == 0, output
    finally:
        stop(web)
    assert [m.channel for m in fake_slack.messages] == ["D0MEMBER"]


# --- previews and progress --------------------------------------------------------------------


def test_a_dry_run_shows_each_message_whole_with_its_recipient_and_a_block_kit_builder_link(
    db: Database,
    fake_slack: FakeSlack,
    environment: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    behind_pace(db)
    monkeypatch.setenv("INACTIVITY_NUDGE_DAYS", "0")  # the pace reminder alone, as it reads
    # A long first line, which the summary used to cut at 160 characters.
    long_name = "Jane " + "Doe" * 60
    with db.transaction() as session:
        enqueue(
            session,
            key="welcome:long",
            kind="welcome",
            channel=MEMBER,
            text=f"Welcome {long_name}!\nSecond line of the welcome.",
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": f"Welcome {long_name}!"}}],
            now=at("2026-11-24T09:00:00+00:00"),
        )

    assert main(["jobs", "run", "reminders", "--now", "2026-11-24T10:00", "--dry-run"]) == 0
    reminder = capsys.readouterr().out
    assert main(["jobs", "run", "sender", "--now", "2026-11-24T10:00", "--dry-run"]) == 0
    welcome = capsys.readouterr().out

    lines = reminder.splitlines()
    start = lines.index("  [would send] reminder:U0MEMBER:2026-11 → Jane Doe (U0MEMBER)")
    text, link = lines[start + 1], lines[start + 2]
    assert text.startswith("      :wave: A friendly nudge about your ambassador term: *1 of 4*")
    assert text.endswith("(term ends 2027-03-01).")
    assert link.startswith("      preview: https://app.slack.com/block-kit-builder/#")
    payload = json.loads(urllib.parse.unquote(link.split("#", 1)[1]))
    assert payload["blocks"][0]["text"]["text"] == text.strip()
    assert [block["type"] for block in payload["blocks"]] == ["section", "actions", "context"]
    assert f"      Welcome {long_name}!\n      Second line of the welcome.\n" in welcome
    assert outbox(db)[0].status == "pending" and fake_slack.calls == []


def test_format_json_gives_each_message_as_its_block_kit_payload(
    db: Database,
    fake_slack: FakeSlack,
    environment: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    behind_pace(db)
    monkeypatch.setenv("INACTIVITY_NUDGE_DAYS", "0")  # the pace reminder alone, as it reads

    assert (
        main(["jobs", "run", "reminders", "--now", "2026-11-24T10:00", "--dry-run", "--format", "json"]) == 0
    )

    report = json.loads(capsys.readouterr().out)
    assert (report["job"], report["dry_run"], report["delivery"]) == ("reminders", True, None)
    assert report["summary"] == "reminders: 1 due, 1 new, 0 queued"
    (message,) = report["messages"]
    assert message["key"] == "reminder:U0MEMBER:2026-11"
    assert (message["state"], message["to"]) == ("would send", {"id": MEMBER, "name": "Jane Doe"})
    payload = message["payload"]
    assert payload["channel"] == MEMBER and payload["text"].startswith(":wave: A friendly nudge")
    assert [block["type"] for block in payload["blocks"]] == ["section", "actions", "context"]
    builder = message["block_kit_builder"]
    assert json.loads(urllib.parse.unquote(builder.split("#", 1)[1])) == {"blocks": payload["blocks"]}
    assert outbox(db) == [] and fake_slack.calls == []


@pytest.mark.sqlite_only
def test_jobs_run_shows_progress_on_a_terminal_and_nothing_extra_through_a_pipe(
    db: Database, fake_slack: FakeSlack, environment: dict[str, str]
) -> None:
    for user, name in ((MEMBER, "Jane Doe"), (TSC, "Tess Council"), (OTHER, "Olek Other")):
        member = enrol(db, user, date(2026, 3, 2), name)
        add_contribution(db, member, date(2026, 4, 1))
    command = [str(Path(sys.executable).parent / "ambassador-bot"), "jobs", "run", "reminders"]
    env = {**os.environ, **environment, "SEND_RATE_PER_SECOND": "20"}

    # stderr on a terminal (a pseudo-terminal here), as when someone runs it by hand; then, a month on
    # (so other messages), through pipes as from cron. One after the other: the later month's run
    # replaces reminders of the earlier one still waiting to be sent, which is the program's rule.
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [*command, "--now", "2026-11-24T10:00:00+00:00", "--yes"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=follower,
    ) as on_terminal:
        os.close(follower)
        shown = read_all(leader)
        stdout = on_terminal.communicate(timeout=60)[0].decode()
    with subprocess.Popen(
        [*command, "--now", "2026-12-24T10:00:00+00:00", "--yes"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as through_pipes:
        piped_out, piped_err = through_pipes.communicate(timeout=60)

    assert on_terminal.returncode == 0 and "reminders: 3 due, 3 new, 3 queued, 3 sent" in stdout
    assert "reminders: finding what is due…" in shown
    assert "\r\x1b[Kreminders: 3 sent of 3 queued\r\n" in shown
    assert through_pipes.returncode == 0, piped_err
    assert "reminders: 3 due, 3 new, 3 queued, 3 sent" in piped_out
    assert "sent of" not in piped_err and "finding" not in piped_err
    assert len(fake_slack.messages) == 6


def read_all(fd: int) -> str:
    """Everything written to a pseudo-terminal until its last writer closes it."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


# --- --now in the future writes real records -----------------------------------------------------


def member_status(db: Database) -> str:
    with db.transaction() as session:
        return str(session.scalars(select(Member.status)).one())


def a_term_a_year_from_now_has_ended(db: Database) -> str:
    """An ambassador with nothing logged, and a --now past the end of their term (whatever today is)."""
    today = datetime.now(UTC).date()
    enrol(db, MEMBER, today - timedelta(days=10))
    return (datetime.now(UTC) + timedelta(days=400)).strftime("%Y-%m-%dT09:00")


def test_a_future_now_that_would_write_needs_yes_when_nobody_can_be_asked(
    db: Database,
    fake_slack: FakeSlack,
    environment: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VERIFICATION_DECIDES", "auto")  # the run itself moves the member to emeritus
    future = a_term_a_year_from_now_has_ended(db)

    assert main(["jobs", "run", "renewals", "--now", future]) == 2

    err = capsys.readouterr().err
    assert f"ambassador-bot: --now {future} is in the future, and this run writes real records" in err
    assert "Preview it with --dry-run, or add --yes to run it" in err
    assert member_status(db) == "active" and outbox(db) == [] and fake_slack.calls == []

    assert main(["jobs", "run", "renewals", "--now", future, "--dry-run"]) == 0
    assert member_status(db) == "active" and outbox(db) == []

    assert main(["jobs", "run", "renewals", "--now", future, "--yes"]) == 0
    assert member_status(db) == "emeritus"


def test_a_future_now_on_a_terminal_asks_first(
    db: Database, fake_slack: FakeSlack, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFICATION_DECIDES", "auto")  # the run itself moves the member to emeritus
    future = a_term_a_year_from_now_has_ended(db)
    command = [
        str(Path(sys.executable).parent / "ambassador-bot"),
        "jobs",
        "run",
        "renewals",
        "--now",
        future,
    ]
    env = {**os.environ, **environment}

    def answer(reply: str) -> tuple[int, str, str]:
        leader, follower = pty.openpty()
        with subprocess.Popen(
            command, env=env, cwd=ROOT, stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as process:
            os.close(follower)
            os.write(leader, reply.encode() + b"\n")
            out, err = process.communicate(timeout=60)
        os.close(leader)
        return process.returncode, out.decode(), err.decode()

    code, out, err = answer("n")
    assert (code, out) == (1, "renewals: nothing done\n")
    assert f"--now {future} is in the future: `renewals` will act as if it were then" in err
    assert "Run it for real? [y/N]" in err
    assert member_status(db) == "active" and outbox(db) == []

    code, out, err = answer("y")
    assert code == 0, err
    assert member_status(db) == "emeritus"


def test_a_dry_run_with_nobody_due_prints_why_and_which_now_would_show_something(
    db: Database,
    fake_slack: FakeSlack,
    environment: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    enrol(db, MEMBER, date(2026, 3, 1))

    assert main(["jobs", "run", "reminders", "--now", "2026-03-02T09:00", "--dry-run"]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "reminders: 0 due, 0 new, 0 queued (dry run: nothing written or sent)",
        "  not due: 1 ambassador in the first 30 days of their term (REMINDER_GRACE_DAYS)",
        "  the first reminder falls due on 2026-06-01 (Jane Doe), if nothing is logged before: "
        "`ambassador-bot jobs run reminders --now 2026-06-01 --dry-run` shows it",
    ]
