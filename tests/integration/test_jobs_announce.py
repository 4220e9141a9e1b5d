"""The `announce` job: new ambassadors posted once, batched into one message, whatever fails."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.outbox.queue import enqueue
from bot.outbox.sender import deliver
from bot.store.db import Database
from bot.store.models import OutboxStatus
from jobs import announce
from jobs.scheduler import run_job
from tests.conftest import ANNOUNCE_CHANNEL, MEMBER, OTHER, REVIEW_CHANNEL
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.helpers.factories import enrol
from tests.helpers.jobs import at, job_context, outbox

NOW = at("2026-11-24T10:00:00+00:00")


def approved(db: Database, slack_user_id: str | None, name: str, **profile: Any) -> str:
    """An ambassador just approved, with the announcement row the approval queues."""
    member_id = enrol(db, slack_user_id, date(2026, 11, 23), name=name, **profile)
    key = f"announce:member:{member_id}:term:{member_id}"
    with db.transaction() as session:
        enqueue(
            session,
            now=NOW,
            key=key,
            kind="announce",
            channel=ANNOUNCE_CHANNEL,
            text=f"Welcome {name}!",
            member_id=member_id,
            not_before=NOW - timedelta(hours=1),
        )
    return key


def three_new_ambassadors(db: Database) -> list[str]:
    return [
        approved(
            db,
            MEMBER,
            "Jane Doe",
            title="Developer Advocate",
            company="Acme",
            bio="Speaks about event-driven APIs.\nAlso bakes bread.",
        ),
        approved(db, OTHER, "Olek Other", github="olek", title="Architect"),
        approved(db, None, "Sam No-Slack", github="sam", company="Initech"),
    ]


def test_due_announcements_go_out_in_one_message_recorded_with_one_ts(
    db: Database, fake_slack: FakeSlack
) -> None:
    keys = three_new_ambassadors(db)
    ctx = job_context(db, fake_slack)

    result = run_job(ctx, "announce", NOW)

    assert result.delivery is not None and sorted(result.delivery.sent) == sorted(keys)
    (post,) = fake_slack.messages_in(ANNOUNCE_CHANNEL)
    assert post.text.startswith("Please welcome our new ambassadors! Jane Doe, Olek Other, Sam No-Slack")
    body = str(post.blocks)
    assert "*Jane Doe* (<@U0MEMBER>) — Developer Advocate at Acme" in body
    assert ">Speaks about event-driven APIs." in body and "bread" not in body
    assert "*Olek Other* (<@U0OTHER>) — Architect" in body
    assert "*Sam No-Slack* — Initech" in body
    assert post.metadata == {
        "event_type": "ambassador_bot_outbox",
        "event_payload": {"key": keys[0], "keys": ",".join(keys)},
    }
    rows = outbox(db, "announce")
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert {row.slack_ts for row in rows} == {post.ts}


def test_run_twice_announces_once_and_the_generic_sender_never_sends_them(
    db: Database, fake_slack: FakeSlack
) -> None:
    three_new_ambassadors(db)
    ctx = job_context(db, fake_slack)

    assert deliver(db, ctx.client, NOW, settings=ctx.settings).sent == []
    assert fake_slack.messages == []
    run_job(ctx, "announce", NOW)
    again = run_job(ctx, "announce", NOW + timedelta(days=1))

    assert again.delivery is not None and again.delivery.sent == []
    assert len(fake_slack.messages_in(ANNOUNCE_CHANNEL)) == 1
    # A later approval is announced on its own.
    later = approved(db, "U0LATE", "Lee Late")
    fake_slack.add_user("U0LATE", "Lee Late")
    final = run_job(ctx, "announce", NOW + timedelta(days=1))
    assert final.delivery is not None and final.delivery.sent == [later]
    assert len(fake_slack.messages_in(ANNOUNCE_CHANNEL)) == 2


def test_a_batch_stopped_after_posting_is_given_back_then_recorded_not_reposted(
    db: Database, fake_slack: FakeSlack
) -> None:
    keys = three_new_ambassadors(db)

    class StopsAfterPosting(WebClient):
        def chat_postMessage(self, **kwargs: Any) -> Any:  # type: ignore[override]
            super().chat_postMessage(**kwargs)
            raise KeyboardInterrupt  # Ctrl-C right here: the ts is never recorded

    ctx = job_context(db, fake_slack)
    stopping = job_context(db, fake_slack)
    stopping.client = StopsAfterPosting(token=BOT_TOKEN, base_url=fake_slack.url, retry_handlers=[])
    with pytest.raises(KeyboardInterrupt):
        announce.run(stopping, NOW)
    # A run that stops (rather than a process that dies) gives its batch back at once, attempt counted.
    assert {(row.status, row.attempts) for row in outbox(db, "announce")} == {(OutboxStatus.PENDING, 1)}

    result = run_job(ctx, "announce", NOW + timedelta(minutes=1))

    assert result.delivery is not None and sorted(result.delivery.recovered) == sorted(keys)
    assert len(fake_slack.messages_in(ANNOUNCE_CHANNEL)) == 1
    assert {row.status for row in outbox(db, "announce")} == {OutboxStatus.SENT}


def test_server_errors_retry_the_whole_batch_later(db: Database, fake_slack: FakeSlack) -> None:
    keys = three_new_ambassadors(db)
    ctx = job_context(db, fake_slack)
    fake_slack.fail("chat.postMessage", status=502)

    first = run_job(ctx, "announce", NOW)
    assert first.delivery is not None and sorted(first.delivery.retry) == sorted(keys)
    assert fake_slack.messages == []
    second = run_job(ctx, "announce", NOW + timedelta(minutes=2))

    assert second.delivery is not None and sorted(second.delivery.sent) == sorted(keys)
    assert len(fake_slack.messages_in(ANNOUNCE_CHANNEL)) == 1


def test_a_channel_the_bot_is_not_in_is_reported_to_the_tsc_once(db: Database, fake_slack: FakeSlack) -> None:
    fake_slack.joined_channels.discard(ANNOUNCE_CHANNEL)
    fake_slack.other_channels.add(ANNOUNCE_CHANNEL)
    three_new_ambassadors(db)
    ctx = job_context(db, fake_slack)

    result = run_job(ctx, "announce", NOW)
    run_job(ctx, "sender", NOW)
    run_job(ctx, "sender", NOW + timedelta(hours=1))

    assert result.delivery is not None and len(result.delivery.failed) == 3
    (alert,) = fake_slack.messages_in(REVIEW_CHANNEL)
    assert "could not deliver 3 messages" in alert.text
    assert f"<#{ANNOUNCE_CHANNEL}>" in alert.text and "/invite @ambassador-bot" in alert.text


def test_a_dry_run_previews_the_batch(db: Database, fake_slack: FakeSlack) -> None:
    keys = three_new_ambassadors(db)
    ctx = job_context(db, fake_slack)

    result = run_job(ctx, "announce", NOW, dry_run=True)

    assert [item.key for item in result.planned] == keys
    assert "Jane Doe, Olek Other, Sam No-Slack" in result.planned[0].text
    assert fake_slack.calls == []
    assert {row.status for row in outbox(db, "announce")} == {OutboxStatus.PENDING}
