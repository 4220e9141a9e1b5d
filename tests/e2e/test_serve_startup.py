"""`serve` at start: the bot token checked once with Slack, and logs that say only what matters."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable

import pytest
from slack_sdk import WebClient

from bot.logging_setup import JsonFormatter, TextFormatter
from bot.slack.token_check import QUIET, check_token
from bot.store.db import Database
from tests.e2e.test_serve import Served, assert_no_secrets, serve  # noqa: F401 (serve is a fixture)
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
