"""The report and its chart posted through the outbox: the monthly `report` job in the review
channel, the chart after the digest, each exactly once, and a chart row's upload never repeated."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from bot.outbox.queue import enqueue_chart
from bot.outbox.sender import deliver
from bot.report.drawing import PNG_SIGNATURE
from bot.rules import report as report_rules
from bot.store.db import Database
from bot.store.models import OutboxMessage, OutboxStatus
from jobs.scheduler import run_job
from tests.conftest import MEMBER, REVIEW_CHANNEL, TSC
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, job_context, outbox

JUNE_FIRST = at("2026-06-01T09:00:00+00:00")
SERIES = report_rules.Series("Contributions in 2026", ["2026-01", "2026-02"], {"talk": [2, 1]}, [300, 40])
FILE_CALLS = ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


def file_calls(fake: FakeSlack) -> list[str]:
    return [method for method in fake.methods() if method in FILE_CALLS]


def queue_chart(db: Database, channel: str = REVIEW_CHANNEL, key: str = "chart:test") -> None:
    with db.transaction() as session:
        enqueue_chart(
            session,
            key=key,
            channel=channel,
            comment="*Contributions in 2026*",
            series=SERIES,
            filename="chart.png",
            alt_text="Bar chart",
            now=JUNE_FIRST,
        )


def test_a_chart_row_is_uploaded_and_shared_once(db: Database, fake_slack: FakeSlack) -> None:
    queue_chart(db)
    ctx = job_context(db, fake_slack)

    first = deliver(db, ctx.client, JUNE_FIRST, settings=ctx.settings)
    again = deliver(db, ctx.client, JUNE_FIRST + timedelta(hours=1), settings=ctx.settings)

    assert first.sent == ["chart:test"] and again.sent == []
    assert file_calls(fake_slack) == FILE_CALLS
    (asked,) = fake_slack.calls_to("files.getUploadURLExternal")
    assert asked["filename"] == "chart.png" and asked["alt_txt"] == "Bar chart"
    (uploaded,) = fake_slack.calls_to("upload")
    assert fake_slack.uploaded(uploaded["file_id"])[:8] == PNG_SIGNATURE  # type: ignore[index]
    assert int(asked["length"]) == uploaded["length"] > 5_000
    (shared,) = fake_slack.messages_in(REVIEW_CHANNEL)
    assert shared.text == "*Contributions in 2026*" and shared.files[0]["id"] == uploaded["file_id"]  # type: ignore[index]
    (row,) = outbox(db)
    assert row.status == OutboxStatus.SENT and row.blocks["file_id"] == uploaded["file_id"]


def test_a_failed_share_is_retried_with_the_same_file(db: Database, fake_slack: FakeSlack) -> None:
    queue_chart(db)
    ctx = job_context(db, fake_slack)
    fake_slack.fail("files.completeUploadExternal", status=500)

    first = deliver(db, ctx.client, JUNE_FIRST, settings=ctx.settings)
    later = deliver(db, ctx.client, JUNE_FIRST + timedelta(hours=1), settings=ctx.settings)

    assert first.retry == ["chart:test"] and later.sent == ["chart:test"]
    assert len(fake_slack.calls_to("files.getUploadURLExternal")) == 1
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 2
    assert len(fake_slack.messages_in(REVIEW_CHANNEL)) == 1


def test_a_share_whose_answer_was_lost_is_found_and_not_shared_again(
    db: Database, fake_slack: FakeSlack
) -> None:
    queue_chart(db)
    ctx = job_context(db, fake_slack)
    deliver(db, ctx.client, JUNE_FIRST, settings=ctx.settings)
    # As if the sender had died after Slack shared the file and before the row was recorded.
    with db.transaction() as session:
        session.execute(update(OutboxMessage).values(status=OutboxStatus.PENDING, slack_ts=None))

    report = deliver(db, ctx.client, JUNE_FIRST + timedelta(minutes=20), settings=ctx.settings)

    assert report.recovered == ["chart:test"]
    assert len(fake_slack.calls_to("files.completeUploadExternal")) == 1
    assert len(fake_slack.messages_in(REVIEW_CHANNEL)) == 1


def test_a_chart_for_a_dm_is_shared_in_the_dm(db: Database, fake_slack: FakeSlack) -> None:
    queue_chart(db, channel=TSC)
    ctx = job_context(db, fake_slack)

    assert deliver(db, ctx.client, JUNE_FIRST, settings=ctx.settings).sent == ["chart:test"]
    assert fake_slack.calls_to("files.completeUploadExternal")[0]["channel_id"] == "D0TSC"


def test_the_monthly_report_goes_to_the_review_channel_once(db: Database, fake_slack: FakeSlack) -> None:
    jane = enrol(db, MEMBER, date(2025, 9, 1))
    for month in (1, 3, 5):
        add_contribution(db, jane, date(2026, month, 10), type_="talk", title=f"Talk {month}")
    add_contribution(db, jane, date(2026, 6, 2), title="June: next month's report")
    ctx = job_context(db, fake_slack)

    first = run_job(ctx, "report", JUNE_FIRST)
    deliver(db, ctx.client, JUNE_FIRST, settings=ctx.settings)
    rerun = run_job(ctx, "report", JUNE_FIRST + timedelta(days=2))

    key = "report:2026-01-01_2026-05-31"
    assert first.enqueued == [key, f"{key}-chart"] and rerun.enqueued == []
    message, chart = fake_slack.messages_in(REVIEW_CHANNEL)
    assert message.text.startswith("Program report: 2026, Jan to May: 3 contributions by 1 ambassador")
    assert "Jun 2026" not in chart.text and "May 2026: 1 contribution, audience 0" in chart.text
    assert chart.files


def test_no_report_without_a_review_channel(db: Database, fake_slack: FakeSlack) -> None:
    ctx = job_context(db, fake_slack, review_channel="")

    result = run_job(ctx, "report", JUNE_FIRST)

    assert result.planned == [] and outbox(db) == []
    assert result.notes == ["REVIEW_CHANNEL is not set: no program report"]
