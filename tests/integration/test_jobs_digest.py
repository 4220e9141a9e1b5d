"""The monthly `digest`: last month's contributions in the announce channel, once, skipped when none."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from bot.outbox.sender import deliver
from bot.store.db import Database
from bot.store.models import Contribution
from jobs import digest
from jobs.scheduler import run_job
from tests.conftest import ANNOUNCE_CHANNEL, MEMBER, OTHER
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, job_context, outbox

FIRST_OF_NOVEMBER = at("2026-11-01T10:00:00+00:00")


def logged(
    db: Database, member_id: int, when: datetime, title: str, source: str = "slack", **extra: str
) -> int:
    contribution_id = add_contribution(db, member_id, when.date(), title=title, **extra)
    with db.transaction() as session:
        session.execute(
            update(Contribution)
            .where(Contribution.id == contribution_id)
            .values(logged_at=when, source=source)
        )
    return contribution_id


def test_posts_last_months_contributions_once(db: Database, fake_slack: FakeSlack) -> None:
    jane = enrol(db, MEMBER, date(2026, 3, 2))
    olek = enrol(db, OTHER, date(2026, 3, 2), name="Olek Other", github="olek")
    sam = enrol(db, None, date(2026, 3, 2), name="Sam No-Slack", github="sam")
    logged(
        db,
        jane,
        at("2026-10-03T09:00:00+00:00"),
        "AsyncAPI at KubeCon",
        type_="talk",
        link="https://youtu.be/k",
    )
    logged(db, olek, at("2026-10-20T09:00:00+00:00"), "Events <3 APIs", link="https://blog.example/e")
    logged(db, sam, at("2026-10-31T23:00:00+00:00"), "Late October post")
    logged(db, jane, at("2026-09-30T23:59:00+00:00"), "September, not October")
    logged(db, jane, at("2026-11-01T00:00:00+00:00"), "November, next digest")
    logged(db, olek, at("2026-10-10T09:00:00+00:00"), "Imported history", source="import")
    ctx = job_context(db, fake_slack)

    first = run_job(ctx, "digest", FIRST_OF_NOVEMBER)
    deliver(db, ctx.client, FIRST_OF_NOVEMBER, settings=ctx.settings)
    second = run_job(ctx, "digest", FIRST_OF_NOVEMBER + timedelta(days=3))
    deliver(db, ctx.client, FIRST_OF_NOVEMBER + timedelta(days=3), settings=ctx.settings)

    assert first.enqueued == ["digest:2026-10", "digest-chart:2026-10"] and second.enqueued == []
    post, chart = fake_slack.messages_in(ANNOUNCE_CHANNEL)
    assert chart.files and chart.text.startswith("*Contributions in 2026, Jan to Oct*")
    body = str(post.blocks)
    assert "Community contributions in October 2026" in body
    assert "3 contributions* by 3 ambassadors" in body
    assert "<@U0MEMBER> — Talk: <https://youtu.be/k|AsyncAPI at KubeCon>" in body
    assert "<@U0OTHER> — Article: <https://blog.example/e|Events &lt;3 APIs>" in body
    assert "*Sam No-Slack* — Article:" in body
    for absent in ("September", "November, next", "Imported"):
        assert absent not in body
    assert post.text.startswith("Community contributions in October 2026: 3 contributions.")


def test_skipped_when_there_were_none(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, date(2026, 3, 2))
    ctx = job_context(db, fake_slack)

    result = run_job(ctx, "digest", FIRST_OF_NOVEMBER)

    assert result.planned == [] and outbox(db) == []
    assert result.notes == ["no contributions logged in 2026-10: no digest"]


def test_last_month_is_read_in_the_program_time_zone(db: Database, fake_slack: FakeSlack) -> None:
    jane = enrol(db, MEMBER, date(2026, 3, 2))
    # 23:30 UTC on 31 October is already November in Madrid.
    logged(db, jane, at("2026-10-31T23:30:00+00:00"), "Halloween talk")
    madrid = job_context(db, fake_slack, timezone="Europe/Madrid")
    utc = job_context(db, fake_slack)

    assert digest.run(madrid, FIRST_OF_NOVEMBER, dry_run=True).planned == []
    assert [p.key for p in digest.run(utc, FIRST_OF_NOVEMBER, dry_run=True).planned] == [
        "digest:2026-10",
        "digest-chart:2026-10",
    ]
    december = datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert [p.key for p in digest.run(madrid, december, dry_run=True).planned] == [
        "digest:2026-11",
        "digest-chart:2026-11",
    ]


def test_a_big_month_stays_within_slacks_limits(db: Database, fake_slack: FakeSlack) -> None:
    jane = enrol(db, MEMBER, date(2026, 3, 2))
    for number in range(400):
        logged(
            db,
            jane,
            at("2026-10-05T09:00:00+00:00") + timedelta(minutes=number),
            f"A rather long title for contribution number {number} " + "x" * 60,
        )
    ctx = job_context(db, fake_slack)

    run_job(ctx, "digest", FIRST_OF_NOVEMBER)
    report = deliver(db, ctx.client, FIRST_OF_NOVEMBER, settings=ctx.settings)

    # the fake refuses messages over Slack's limits
    assert report.sent == ["digest:2026-10", "digest-chart:2026-10"]
    post, _chart = fake_slack.messages_in(ANNOUNCE_CHANNEL)
    assert len(post.blocks or []) <= 50
