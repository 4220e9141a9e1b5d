"""The outbox sender against the fake Slack Web API: each message exactly once, whatever fails."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.outbox import sender
from bot.outbox.delivery_errors import report_failures
from bot.outbox.leases import LEASE
from bot.outbox.pacing import Pacer
from bot.outbox.queue import enqueue
from bot.outbox.sender import SenderOptions, deliver
from bot.slack.client import jobs_client
from bot.store.db import Database
from bot.store.models import OutboxMessage, OutboxStatus
from tests.conftest import ANNOUNCE_CHANNEL, MEMBER, REVIEW_CHANNEL, make_settings
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.helpers.factories import add_member
from tests.paths import ROOT

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
UNPACED = SenderOptions(rate_per_second=0)


@pytest.fixture
def client(db: Database, fake_slack: FakeSlack) -> WebClient:
    return jobs_client(make_settings(db.url, fake_slack.url), timeout=1)


def queue(
    db: Database, key: str, channel: str = "C0GENERAL", kind: str = "test", not_before: datetime = NOW
) -> None:
    with db.transaction() as session:
        enqueue(session, key=key, kind=kind, channel=channel, text=f"message {key}", now=not_before)


def row(db: Database, key: str) -> OutboxMessage:
    with db.transaction() as session:
        found = session.scalars(select(OutboxMessage).where(OutboxMessage.key == key)).one()
        session.expunge(found)
        return found


def posted_keys(fake: FakeSlack) -> list[str]:
    return [str((m.metadata or {}).get("event_payload", {}).get("key")) for m in fake.messages]


def test_delivers_each_due_message_once_with_its_key_in_the_metadata(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    queue(db, "one")
    queue(db, "two", channel=MEMBER, kind="welcome")
    queue(db, "later", not_before=NOW + timedelta(hours=1))

    report = deliver(db, client, NOW, options=UNPACED)
    again = deliver(db, client, NOW, options=UNPACED)

    assert sorted(report.sent) == ["one", "two"] and again.sent == []
    assert posted_keys(fake_slack) == ["one", "two"]
    post = fake_slack.calls_to("chat.postMessage")[0]
    assert post["metadata"] == {"event_type": "ambassador_bot_outbox", "event_payload": {"key": "one"}}
    assert post["text"] == "message one"
    sent = row(db, "two")
    assert (sent.status, sent.attempts, sent.slack_channel) == (OutboxStatus.SENT, 1, "D0MEMBER")
    assert sent.slack_ts == fake_slack.messages[1].ts
    assert row(db, "later").status == OutboxStatus.PENDING
    assert deliver(db, client, NOW + timedelta(hours=1), options=UNPACED).sent == ["later"]


def test_rate_limited_post_waits_retry_after_then_sends_once(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    queue(db, "limited")
    fake_slack.fail("chat.postMessage", status=429, retry_after=1)

    report = deliver(db, client, NOW, options=UNPACED)

    assert report.sent == ["limited"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # the 429, then the post
    assert posted_keys(fake_slack) == ["limited"]


def test_a_429_on_a_client_without_the_retry_handler_is_retried_after_retry_after(
    db: Database, fake_slack: FakeSlack
) -> None:
    # The request path's client does not wait: the row waits instead.
    plain = WebClient(token=BOT_TOKEN, base_url=fake_slack.url, retry_handlers=[])
    queue(db, "limited")
    fake_slack.fail("chat.postMessage", status=429, retry_after=1)

    assert deliver(db, plain, NOW, options=UNPACED).retry == ["limited"]
    waiting = row(db, "limited")
    assert (waiting.status, waiting.error) == (OutboxStatus.PENDING, "ratelimited")
    assert timedelta(seconds=59) < waiting.next_attempt_at - NOW <= timedelta(seconds=61)


def test_server_errors_keep_the_row_pending_with_backoff_then_it_is_sent_once(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    queue(db, "flaky")
    fake_slack.fail("chat.postMessage", status=500, times=2)

    first = deliver(db, client, NOW, options=UNPACED)
    waiting = row(db, "flaky")
    assert first.retry == ["flaky"] and first.sent == []
    assert (waiting.status, waiting.attempts, waiting.error) == (OutboxStatus.PENDING, 1, "http_500")
    assert timedelta(seconds=59) < waiting.next_attempt_at - NOW <= timedelta(seconds=61)
    assert deliver(db, client, NOW + timedelta(seconds=30), options=UNPACED).sent == []

    second = deliver(db, client, NOW + timedelta(minutes=1, seconds=1), options=UNPACED)
    assert second.retry == ["flaky"]
    assert timedelta(minutes=2) <= row(db, "flaky").next_attempt_at - (NOW + timedelta(minutes=1))

    third = deliver(db, client, NOW + timedelta(minutes=10), options=UNPACED)
    assert third.sent == ["flaky"]
    assert posted_keys(fake_slack) == ["flaky"]
    # Before posting again, the sender looked for an earlier post of the same key.
    assert fake_slack.calls_to("conversations.history")
    assert fake_slack.calls_to("conversations.history")[0]["include_all_metadata"] in (True, "true", "1")
    assert row(db, "flaky").attempts == 3


def test_a_timeout_after_slack_posted_is_recognised_and_not_posted_again(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    queue(db, "slow", channel=MEMBER, kind="welcome")
    # Slack answers after the client gave up (timeout 1 s) but posts the message all the same.
    fake_slack.fail("chat.postMessage", delay=1.3)

    first = deliver(db, client, NOW, options=UNPACED)
    assert first.retry == ["slow"]
    assert "timed out" in (row(db, "slow").error or "")
    fake_slack.wait_for(lambda: len(fake_slack.messages) == 1)

    second = deliver(db, client, NOW + timedelta(minutes=5), options=UNPACED)

    assert second.recovered == ["slow"] and second.sent == []
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.calls_to("conversations.open")[0]["users"] == MEMBER
    recorded = row(db, "slow")
    assert (recorded.status, recorded.slack_ts) == (OutboxStatus.SENT, fake_slack.messages[0].ts)


def test_permanent_errors_fail_the_row_and_are_reported_once_with_what_to_do(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    fake_slack.other_channels.add("C0SECRET")
    queue(db, "secret", channel="C0SECRET")
    queue(db, "gone", channel="U0GONE", kind="welcome")
    queue(db, "fine")

    report = deliver(db, client, NOW, options=UNPACED)

    assert sorted(report.failed) == ["gone", "secret"] and report.sent == ["fine"]
    assert (row(db, "secret").status, row(db, "secret").error) == (OutboxStatus.FAILED, "not_in_channel")
    assert row(db, "gone").error == "channel_not_found"

    queued = report_failures(db, NOW, REVIEW_CHANNEL)
    assert report_failures(db, NOW, REVIEW_CHANNEL) == []
    assert len(queued) == 1
    deliver(db, client, NOW, options=UNPACED)
    (alert,) = fake_slack.messages_in(REVIEW_CHANNEL)
    assert "I could not deliver 2 messages" in alert.text
    assert "`secret`" in alert.text and "invite me there" in alert.text
    assert "<@U0GONE>" in alert.text
    # Neither is retried later.
    assert deliver(db, client, NOW + timedelta(days=1), options=UNPACED).sent == []
    assert report_failures(db, NOW + timedelta(days=1), REVIEW_CHANNEL) == []
    assert len(fake_slack.messages_in(REVIEW_CHANNEL)) == 1


def test_a_report_that_cannot_be_delivered_is_not_reported_again(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    fake_slack.other_channels.update({"C0SECRET", "C0NOREVIEW"})
    queue(db, "secret", channel="C0SECRET")
    deliver(db, client, NOW, options=UNPACED)
    report_failures(db, NOW, "C0NOREVIEW")

    report = deliver(db, client, NOW, options=UNPACED)

    assert report.failed == ["delivery-failures:1-1"]
    assert report_failures(db, NOW, "C0NOREVIEW") == []
    assert fake_slack.messages == []


def test_a_wrong_token_stops_the_run_and_keeps_every_message_queued(
    db: Database, fake_slack: FakeSlack
) -> None:
    bad = WebClient(token="xoxb-wrong", base_url=fake_slack.url, retry_handlers=[])
    queue(db, "a")
    queue(db, "b")

    report = deliver(db, bad, NOW, options=UNPACED)

    assert report.sent == report.failed == []
    for key in ("a", "b"):
        waiting = row(db, key)
        assert (waiting.status, waiting.attempts, waiting.claimed_until) == (OutboxStatus.PENDING, 0, None)


def test_gives_up_after_max_attempts(db: Database, fake_slack: FakeSlack, client: WebClient) -> None:
    queue(db, "doomed")
    with db.transaction() as session:
        session.scalars(select(OutboxMessage)).one().attempts = sender.MAX_ATTEMPTS - 1
    fake_slack.fail("chat.postMessage", status=503)
    fake_slack.fail("conversations.history", status=503)

    report = deliver(db, client, NOW, options=UNPACED)

    assert report.failed == ["doomed"]
    assert row(db, "doomed").error == f"gave up after {sender.MAX_ATTEMPTS} attempts: http_503"


def test_scheduled_dms_wait_for_the_members_local_daytime(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    add_member(db, MEMBER)  # Europe/Madrid in Slack: UTC+1 in November
    night = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 05:00 in Madrid
    with db.transaction() as session:
        enqueue(session, key="reminder", kind="reminder", channel=MEMBER, text="nudge", now=night)
        enqueue(session, key="welcome", kind="welcome", channel=MEMBER, text="hi", now=night)
    options = SenderOptions(rate_per_second=0, local_hours=(9, 18))

    report = deliver(db, client, night, options=options)

    assert report.sent == ["welcome"]  # a reply to something just done goes at once
    assert report.deferred == ["reminder"]
    deferred = row(db, "reminder")
    assert (deferred.status, deferred.attempts) == (OutboxStatus.PENDING, 0)
    assert deferred.next_attempt_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 09:00 in Madrid
    assert deliver(db, client, datetime(2026, 11, 24, 7, 59, tzinfo=UTC), options=options).sent == []
    assert deliver(db, client, datetime(2026, 11, 24, 8, 0, tzinfo=UTC), options=options).sent == ["reminder"]
    # The time zone was asked once and cached on the member.
    assert [call["user"] for call in fake_slack.calls_to("users.info")] == [MEMBER]

    with db.transaction() as session:
        enqueue(session, key="evening", kind="renewal", channel=MEMBER, text="x", now=night)
    evening = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 18:30 in Madrid: tomorrow morning
    assert deliver(db, client, evening, options=options).deferred == ["evening"]
    assert row(db, "evening").next_attempt_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_dms_to_people_without_a_slack_time_zone_use_the_default(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    fake_slack.add_user("U0NOTZ", "No Zone", tz="")
    with db.transaction() as session:
        enqueue(session, key="r", kind="reminder", channel="U0NOTZ", text="x", now=NOW)
    options = SenderOptions(rate_per_second=0, default_zone=sender.ZoneInfo("Asia/Tokyo"))

    # 10:00 UTC is 19:00 in Tokyo: tomorrow 09:00 Tokyo = 00:00 UTC.
    assert deliver(db, client, NOW, options=options).deferred == ["r"]
    assert row(db, "r").next_attempt_at == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


def test_pacing_spaces_posts_at_the_configured_rate() -> None:
    clock = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(round(seconds, 3))
        clock[0] += seconds

    pacer = Pacer(2.0, sleep=sleep, monotonic=lambda: clock[0])
    for _ in range(4):
        pacer.wait()
    assert sleeps == [0.5, 0.5, 0.5]
    clock[0] += 10
    pacer.wait()
    assert sleeps == [0.5, 0.5, 0.5]
    assert Pacer(0).interval == 0


def test_the_sender_paces_its_posts(db: Database, fake_slack: FakeSlack, client: WebClient) -> None:
    for key in ("a", "b", "c"):
        queue(db, key)
    waits: list[float] = []
    pacer = Pacer(1.0, sleep=waits.append, monotonic=lambda: 0.0)

    assert deliver(db, client, NOW, pacer=pacer).sent == ["a", "b", "c"]
    assert waits == [1.0, 2.0]


def test_keys_asked_for_right_after_a_change_go_out_at_once_but_not_announcements(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    later = NOW + timedelta(hours=2)
    with db.transaction() as session:
        enqueue(session, key="welcome", kind="welcome", channel=MEMBER, text="hi", now=later)
        enqueue(session, key="announce:x", kind="announce", channel=ANNOUNCE_CHANNEL, text="a", now=NOW)
        enqueue(session, key="other", kind="test", channel="C0GENERAL", text="o", now=NOW)

    report = deliver(db, client, NOW, keys=["welcome", "announce:x"], options=UNPACED)

    assert report.sent == ["welcome"]
    assert row(db, "announce:x").status == OutboxStatus.PENDING
    assert row(db, "other").status == OutboxStatus.PENDING


def test_concurrent_senders_post_each_message_once(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    keys = [f"m{number}" for number in range(30)]
    with db.transaction() as session:
        for key in keys:
            enqueue(session, key=key, kind="test", channel="C0GENERAL", text=key, now=NOW)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            deliver(db, client, NOW, options=UNPACED)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(posted_keys(fake_slack)) == sorted(keys)
    with db.transaction() as session:
        statuses = set(session.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}


KILLED_SENDER = """
import os, signal, sys
from datetime import datetime
from slack_sdk import WebClient
from bot.store.db import Database
from bot.outbox.sender import SenderOptions, deliver

url, api, now, when = sys.argv[1:5]

class DiesMidway(WebClient):
    def chat_postMessage(self, **kwargs):
        if when == "before-post":
            os.kill(os.getpid(), signal.SIGKILL)
        response = super().chat_postMessage(**kwargs)
        os.kill(os.getpid(), signal.SIGKILL)  # posted; the ts is never recorded
        return response

client = DiesMidway(token="xoxb-test-token", base_url=api, retry_handlers=[])
deliver(Database(url), client, datetime.fromisoformat(now), options=SenderOptions(rate_per_second=0))
"""


def kill_a_sender(db: Database, fake_slack: FakeSlack, when: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", KILLED_SENDER, db.url, fake_slack.url, NOW.isoformat(), when],
        cwd=str(ROOT),
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == -9, result.stderr.decode()


def test_a_sender_killed_after_posting_does_not_post_again(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    queue(db, "reminder:U0MEMBER:2026-11", channel=MEMBER, kind="welcome")

    kill_a_sender(db, fake_slack, "after-post")

    assert len(fake_slack.messages) == 1
    stuck = row(db, "reminder:U0MEMBER:2026-11")
    assert stuck.status == OutboxStatus.SENDING and stuck.slack_ts is None
    # While the dead sender's lease runs, nobody touches the row.
    assert deliver(db, client, NOW + LEASE - timedelta(minutes=1), options=UNPACED).sent == []
    # After it, the next sender finds the message by its metadata and records it.
    report = deliver(db, client, NOW + LEASE + timedelta(minutes=1), options=UNPACED)
    assert report.recovered == ["reminder:U0MEMBER:2026-11"] and report.sent == []
    assert len(fake_slack.messages) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    recorded = row(db, "reminder:U0MEMBER:2026-11")
    assert (recorded.status, recorded.slack_ts) == (OutboxStatus.SENT, fake_slack.messages[0].ts)


def test_a_sender_killed_before_posting_posts_once_after_its_lease(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    queue(db, "digest:2026-10")

    kill_a_sender(db, fake_slack, "before-post")

    assert fake_slack.messages == []
    report = deliver(db, client, NOW + LEASE + timedelta(minutes=1), options=UNPACED)
    assert report.sent == ["digest:2026-10"]
    assert posted_keys(fake_slack) == ["digest:2026-10"]


def test_without_history_access_a_recovered_message_is_posted_again_at_least_once(
    db: Database, fake_slack: FakeSlack, client: WebClient
) -> None:
    queue(db, "k")
    fake_slack.fail("chat.postMessage", status=500)
    deliver(db, client, NOW, options=UNPACED)
    fake_slack.fail("conversations.history", error="missing_scope")

    assert deliver(db, client, NOW + timedelta(minutes=5), options=UNPACED).sent == ["k"]


def dropped_connection(statement: str) -> OperationalError:
    return OperationalError(statement, {}, Exception("server closed the connection unexpectedly"))


def test_a_run_that_fails_on_one_message_gives_it_back_for_the_next_run_at_once(
    db: Database, fake_slack: FakeSlack, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a soak: the database connection drops while the member's time zone is stored, before posting.
    add_member(db, MEMBER)
    with db.transaction() as session:
        enqueue(session, key="reminder:U0MEMBER:2026-11", kind="reminder", channel=MEMBER, text="x", now=NOW)
        enqueue(session, key="after", kind="welcome", channel=MEMBER, text="y", now=NOW)

    def drops(*args: object, **kwargs: object) -> bool:
        raise dropped_connection("UPDATE members SET timezone=...")

    monkeypatch.setattr(sender.members, "store_timezone", drops)
    with pytest.raises(OperationalError):
        deliver(db, client, NOW, options=UNPACED)
    monkeypatch.undo()

    given_back = row(db, "reminder:U0MEMBER:2026-11")
    assert (given_back.status, given_back.claimed_until, given_back.attempts) == (
        OutboxStatus.PENDING,
        None,
        1,
    )
    assert given_back.next_attempt_at <= NOW + timedelta(seconds=5)
    assert "the sender run failed here: OperationalError" in (given_back.error or "")
    assert row(db, "after").status == OutboxStatus.PENDING  # untried, not held either
    # The next run, a few seconds later and well inside the old lease, sends both once.
    report = deliver(db, client, NOW + timedelta(seconds=30), options=UNPACED)
    assert sorted(report.sent) == ["after", "reminder:U0MEMBER:2026-11"]
    assert len(fake_slack.messages) == 2


def test_a_run_that_fails_after_slack_posted_gives_the_message_back_without_a_second_post(
    db: Database, fake_slack: FakeSlack, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(db, "digest:2026-10")
    original = sender.Sender._record_sent

    def drops_once(self: sender.Sender, *args: object, **kwargs: object) -> None:
        monkeypatch.setattr(sender.Sender, "_record_sent", original)
        raise dropped_connection("UPDATE outbox SET status='sent' ...")

    monkeypatch.setattr(sender.Sender, "_record_sent", drops_once)
    with pytest.raises(OperationalError):
        deliver(db, client, NOW, options=UNPACED)

    assert row(db, "digest:2026-10").status == OutboxStatus.PENDING
    report = deliver(db, client, NOW + timedelta(seconds=30), options=UNPACED)
    assert report.recovered == ["digest:2026-10"] and report.sent == []
    assert len(fake_slack.messages) == 1  # found by its metadata, not posted again
    assert row(db, "digest:2026-10").slack_ts == fake_slack.messages[0].ts
