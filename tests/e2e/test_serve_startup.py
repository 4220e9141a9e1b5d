"""`serve` at start: the bot token checked once with Slack, and logs that say only what matters."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.logging_setup import JsonFormatter, TextFormatter
from bot.slack.token_check import QUIET, check_token
from bot.store.db import Database
from tests.e2e.test_serve import (  # noqa: F401 (serve is a fixture)
    COMMAND,
    Served,
    assert_no_secrets,
    serve,
)
from tests.fakes.slack import BOT_TOKEN, FakeSlack

REVOKED_TOKEN = "xoxb-1111-2222-revoked"  # well formed, but not a token Slack knows


@pytest.mark.sqlite_only
def test_a_token_slack_refuses_stops_serve_at_start_with_one_clear_line(
    serve: Callable[..., Served],  # noqa: F811
    fake_slack: FakeSlack,
) -> None:
    served = serve(wait_healthy=False, SLACK_BOT_TOKEN=REVOKED_TOKEN)

    assert served.process.wait(timeout=30) == 2
    output = served.output()
    assert (
        "ambassador-bot: Slack refused SLACK_BOT_TOKEN (invalid_auth): copy the Bot User OAuth Token "
        "(xoxb-...) from the app's OAuth & Permissions page, after installing the app to the workspace"
    ) in output
    assert fake_slack.methods() == ["auth.test"]
    assert "serving Slack" not in output
    assert REVOKED_TOKEN not in output and "Traceback" not in output


@pytest.mark.sqlite_only
def test_slack_failing_at_start_is_a_warning_then_checked_again_while_serving_with_quiet_json_logs(
    serve: Callable[..., Served],  # noqa: F811
    fake_slack: FakeSlack,
    db: Database,
) -> None:
    fake_slack.fail("auth.test", status=503)

    served = serve(LOG_LEVEL="INFO", LOG_FORMAT="json", SENDER_INTERVAL_SECONDS="1")
    help_reply = served.slack.command("help", "U0MEMBER")
    served.wait_for_log("Slack accepted SLACK_BOT_TOKEN")
    time.sleep(2.5)  # a few sender ticks, which must not log anything at INFO
    assert served.stop() == 0

    assert help_reply.status == 200
    assert fake_slack.methods().count("auth.test") >= 2
    records = [json.loads(line) for line in served.output().splitlines()]
    assert all(set(record) >= {"time", "level", "logger", "message"} for record in records)
    messages = [(record["level"], record["message"]) for record in records]
    assert ("WARNING", "could not check SLACK_BOT_TOKEN with Slack (HTTP 503)") in messages
    assert ("WARNING", "serving anyway; checking the token again in the background") in messages
    assert ("INFO", "Slack accepted SLACK_BOT_TOKEN: bot user U0BOT in Example") in messages
    assert not [record for record in records if record["logger"].startswith("apscheduler")], messages
    assert_no_secrets(served.output())


def test_both_log_formats_redact_tokens_in_messages_and_tracebacks() -> None:
    try:
        raise RuntimeError(f"Slack said no to {BOT_TOKEN}")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token %s", (BOT_TOKEN,), None)
        record.exc_info = sys.exc_info()

    as_json = json.loads(JsonFormatter().format(record))
    as_text = TextFormatter().format(record)

    assert as_json["message"] == "token [redacted]"
    assert "RuntimeError: Slack said no to [redacted]" in as_json["exception"]
    assert "token [redacted]" in as_text and "Slack said no to [redacted]" in as_text
    assert BOT_TOKEN not in as_text + json.dumps(as_json)


def test_slack_unreachable_is_a_warning_not_a_refusal(caplog: pytest.LogCaptureFixture) -> None:
    # Nothing listens on port 9 of the loopback: the connection is refused, as when Slack is unreachable.
    client = WebClient(token=BOT_TOKEN, base_url="http://127.0.0.1:9/api/", timeout=2, logger=QUIET)
    client.retry_handlers = []

    with caplog.at_level(logging.WARNING, logger="bot.slack.token_check"):
        assert check_token(client) is None

    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage().startswith("could not reach Slack to check SLACK_BOT_TOKEN (URLError:")


@pytest.mark.sqlite_only
def test_a_start_logs_no_bolt_warning_about_the_token_and_help_needs_no_slack_call(
    serve: Callable[..., Served],  # noqa: F811
    fake_slack: FakeSlack,
) -> None:
    served = serve(LOG_LEVEL="DEBUG")
    fake_slack.reset()
    fake_slack.fail("auth.test", status=503)

    help_reply = served.slack.command("help", "U0MEMBER")
    assert served.stop() == 0

    assert help_reply.status == 200
    assert "Ambassador program bot" in help_reply.json["text"]
    # The bot knew who it is from the check at start: answering asked Slack nothing.
    assert fake_slack.methods() == []
    assert "token` will be unused" not in served.output()
    assert "will be ignored" not in served.output()


@pytest.mark.sqlite_only
def test_help_is_answered_while_slack_cannot_be_reached_at_all(
    serve: Callable[..., Served],  # noqa: F811
) -> None:
    # Nothing listens on port 9 of the loopback: Slack unreachable from the start.
    served = serve(SLACK_API_URL="http://127.0.0.1:9/api/", LOG_LEVEL="INFO")
    served.wait_for_log("serving anyway; checking the token again in the background")

    help_reply = served.slack.command("help", "U0MEMBER")
    assert served.stop() == 0

    assert help_reply.status == 200
    text = help_reply.json["text"]
    assert "Ambassador program bot" in text and "answering slowly" not in text


@pytest.mark.sqlite_only
def test_a_second_serve_on_a_taken_port_stops_at_once_with_one_line(
    serve: Callable[..., Served],  # noqa: F811
    fake_slack: FakeSlack,
) -> None:
    first = serve()
    port = first.url.rsplit(":", 1)[1]
    fake_slack.reset()

    second = serve(wait_healthy=False, PORT=port)

    assert second.process.wait(timeout=30) == 2
    output = second.output()
    assert f"ambassador-bot: cannot listen on 127.0.0.1:{port}: Address already in use" in output
    assert "is another `ambassador-bot serve` running?" in output
    # It stopped before its catch-up jobs (and before asking Slack anything).
    assert "scheduled jobs" not in output and "Traceback" not in output
    assert fake_slack.methods() == []
    assert first.stop() == 0


@pytest.mark.sqlite_only
def test_a_missing_review_channel_is_a_warning_at_start(
    serve: Callable[..., Served],  # noqa: F811
) -> None:
    served = serve(REVIEW_CHANNEL="", LOG_LEVEL="INFO")
    served.wait_for_log("REVIEW_CHANNEL is not set")
    assert served.stop() == 0
    assert "failed GitHub invitations are not reported anywhere" in served.output()


@pytest.mark.sqlite_only
def test_the_scheduler_with_slack_unreachable_says_it_runs_the_jobs_not_that_it_serves(
    tmp_path: Path, db: Database
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": db.url,
        "SLACK_API_URL": "http://127.0.0.1:9/api/",  # nothing listens there
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "REVIEW_CHANNEL": "C0REVIEW",
        "LOG_LEVEL": "INFO",
    }
    log_path = tmp_path / "scheduler.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [COMMAND, "scheduler"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while "anyway" not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        # Only what it logged at start matters here: no need to wait for its catch-up jobs to end.
        process.kill()
        process.wait(timeout=20)
    output = log_path.read_text()
    assert "running the jobs anyway; checking the token again in the background" in output
    assert "serving anyway" not in output
