"""Inactivity, with notice, on a real database (SQLite and PostgreSQL): the DM after 8 weeks (one message
with a pace reminder due the same day), the TSC's report at 90 days, the proposal at 180 with its
buttons; each step once per stretch, none while paused."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.blocks import ids
from bot.blocks.pauses import PAUSE_MESSAGES
from bot.outbox.sender import deliver
from bot.services import pauses
from bot.store.db import Database
from bot.store.models import EmeritusProposal, InactivityNotice
from jobs.runner import JobContext
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER
from tests.e2e.test_home import statements_during
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, buttons, dm_texts, job_context, outbox

START = date(2025, 11, 24)  # the term runs to 2026-11-23
LAST = date(2026, 1, 5)  # the last contribution: the stretch starts here


def on(day: date) -> datetime:
    return at(f"{day.isoformat()}T10:00:00+00:00")


def after(days: int) -> datetime:
    return on(LAST + timedelta(days=days))


def quiet_member(db: Database, slack_user_id: str | None = MEMBER, **profile: str) -> int:
    member_id = enrol(db, slack_user_id, START, **profile)
    add_contribution(db, member_id, LAST)
    return member_id


def run(ctx: JobContext, name: str, when: datetime) -> list[str]:
    result = run_job(ctx, name, when)
    deliver(ctx.db, ctx.client, when, settings=ctx.settings)
    return sorted(result.enqueued)


def steps(db: Database) -> list[tuple[int, date, str, date]]:
    with db.transaction() as session:
        return [
            (n.member_id, n.stretch_start, n.step, n.noticed_on)
            for n in session.scalars(select(InactivityNotice).order_by(InactivityNotice.id))
        ]


def test_one_friendly_dm_after_8_weeks_once_per_stretch(db: Database, fake_slack: FakeSlack) -> None:
    quiet_member(db)
    ctx = job_context(db, fake_slack)

    assert run(ctx, "reminders", after(55)) == []
    assert run(ctx, "reminders", after(56)) == ["inactivity:1:2026-01-05"]
    assert run(ctx, "reminders", after(56) + timedelta(hours=2)) == []
    assert run(ctx, "reminders", after(80)) == []

    (text,) = dm_texts(fake_slack, MEMBER)
    assert "8 weeks since we last heard of your ambassador work" in text
    assert "your last contribution on record is from 2026-01-05" in text
    post = fake_slack.calls_to("chat.postMessage")[0]
    assert buttons(post["blocks"]) == {ids.LOG_OPEN: ""}
    assert steps(db) == [(1, LAST, "nudge", date(2026, 3, 2))]


def test_with_a_pace_reminder_due_the_same_day_one_message(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, date(2025, 9, 1))  # nothing logged: behind pace, and inactive since joining
    ctx = job_context(db, fake_slack)

    assert run(ctx, "reminders", on(date(2026, 1, 10))) == ["reminder:U0MEMBER:2026-01"]

    (text,) = dm_texts(fake_slack, MEMBER)
    assert text.startswith(":wave: A friendly nudge about your ambassador term: *0 of 4*")
    assert "weeks since we last heard of your ambassador work" in text
    assert steps(db) == [(1, date(2025, 9, 1), "nudge", date(2026, 1, 10))]
    # The notice is taken: next month's reminder comes alone.
    assert run(ctx, "reminders", on(date(2026, 2, 10))) == ["reminder:U0MEMBER:2026-02"]
    assert "weeks since we last heard" not in dm_texts(fake_slack, MEMBER)[-1]


def test_a_reminder_already_sent_this_period_lets_the_notice_go_alone(
    db: Database, fake_slack: FakeSlack
) -> None:
    member_id = enrol(db, MEMBER, date(2025, 6, 1))
    add_contribution(db, member_id, date(2025, 11, 20))  # behind in January, not yet inactive 8 weeks
    ctx = job_context(db, fake_slack)
    assert run(ctx, "reminders", on(date(2026, 1, 5))) == ["reminder:U0MEMBER:2026-01"]
    # 2026-01-15: 56 days after the contribution, the same month: the notice alone, no second reminder.
    assert run(ctx, "reminders", on(date(2026, 1, 15))) == ["inactivity:1:2025-11-20"]


def test_a_contribution_ends_the_stretch_and_a_new_one_starts_afresh(
    db: Database, fake_slack: FakeSlack
) -> None:
    member_id = quiet_member(db)
    ctx = job_context(db, fake_slack)
    run(ctx, "reminders", after(56))
    add_contribution(db, member_id, LAST + timedelta(days=60), title="Back at it")
    assert run(ctx, "reminders", after(100)) == []
    assert run(ctx, "reminders", after(116)) == ["inactivity:1:2026-03-06"]


def test_an_upcoming_talk_is_activity_from_its_day_on(db: Database, fake_slack: FakeSlack) -> None:
    # As with every count, a talk logged ahead is not activity yet: the stretch goes on until its day.
    member_id = quiet_member(db)
    add_contribution(db, member_id, LAST + timedelta(days=70), type_="talk", title="Upcoming talk")
    ctx = job_context(db, fake_slack)

    assert run(ctx, "reminders", after(56)) == ["inactivity:1:2026-01-05"]
    assert "your last contribution on record is from 2026-01-05" in dm_texts(fake_slack, MEMBER)[-1]
    # From the talk's day, a new stretch starts there: its own notice 8 weeks later, not before.
    assert run(ctx, "reminders", after(125)) == []
    assert run(ctx, "reminders", after(126)) == ["inactivity:1:2026-03-16"]


def test_the_tsc_report_at_90_days_and_the_proposal_at_180(db: Database, fake_slack: FakeSlack) -> None:
    quiet_member(db)
    quiet_member(db, OTHER, name="Olek Other", github="olek")
    ctx = job_context(db, fake_slack)
    run(ctx, "reminders", after(56))

    assert run(ctx, "activity", after(89)) == []
    reported = run(ctx, "activity", after(90))
    assert len(reported) == 1 and reported[0].startswith("activity-report:2026-04-05:")
    (report,) = fake_slack.messages_in("C0REVIEW")
    assert report.text.startswith("Between renewals, 2026-04-05: 2 inactive for a long while.")
    assert "*Jane Doe* (<@U0MEMBER>) — 90 days; last contribution 2026-01-05" in str(report.blocks)
    assert run(ctx, "activity", after(91)) == []

    proposed = run(ctx, "activity", after(180))
    assert [key.split(":")[0] for key in proposed] == ["activity-report", "proposals"]
    listing = fake_slack.messages_in("C0REVIEW")[-1]
    assert listing.text.startswith("Inactivity, 2026-07-04: proposed for emeritus, the TSC decides")
    body = str(listing.blocks)
    assert "inactive for 180 days (last contribution 2026-01-05; stretch since 2026-01-05)" in body
    actions = [buttons([block]) for block in listing.blocks if block["type"] == "actions"]
    assert actions == [
        {ids.PROPOSAL_EMERITUS: "1", ids.PROPOSAL_KEEP: "1"},
        {ids.PROPOSAL_EMERITUS: "2", ids.PROPOSAL_KEEP: "2"},
    ]
    with db.transaction() as session:
        rows = session.scalars(select(EmeritusProposal).order_by(EmeritusProposal.id)).all()
        assert [(p.key, p.cause, p.status, p.message_key) for p in rows] == [
            ("inactivity:member1:2026-01-05", "inactivity", "open", proposed[1]),
            ("inactivity:member2:2026-01-05", "inactivity", "open", proposed[1]),
        ]
    # Proposed once; nothing more on this stretch, nor any DM while the TSC decides.
    assert run(ctx, "activity", after(181)) == run(ctx, "activity", after(400)) == []
    assert run(ctx, "reminders", after(400)) == []
    assert [step for _, _, step, _ in steps(db)] == ["nudge"] * 2 + ["report"] * 2 + ["propose"] * 2


def test_found_late_nobody_is_proposed_without_notice(db: Database, fake_slack: FakeSlack) -> None:
    quiet_member(db)
    ctx = job_context(db, fake_slack)
    assert run(ctx, "activity", after(200)) == []  # the DM comes first, from the reminders job
    # Behind pace too: the notice rides in this month's reminder.
    assert run(ctx, "reminders", after(200)) == ["reminder:U0MEMBER:2026-07"]
    assert "weeks since we last heard" in dm_texts(fake_slack, MEMBER)[0]
    assert run(ctx, "activity", after(233)) == []
    assert run(ctx, "activity", after(234))[0].startswith("activity-report:")
    assert run(ctx, "activity", after(323)) == []
    assert [key.split(":")[0] for key in run(ctx, "activity", after(324))] == ["activity-report", "proposals"]


def test_nothing_while_paused_and_the_stretch_restarts_on_return(db: Database, fake_slack: FakeSlack) -> None:
    quiet_member(db)
    ctx = job_context(db, fake_slack)
    pauses.pause_member(
        db,
        MEMBER,
        LAST + timedelta(days=100),
        None,
        today=LAST + timedelta(days=40),
        now=after(40),
        actor=MEMBER,
        policy=pauses.PausePolicy(),
        messages=PAUSE_MESSAGES,
    )
    assert run(ctx, "reminders", after(60)) == []
    returning = run(ctx, "activity", after(95))  # the return notice, and the TSC's report of it
    assert returning[1] == "pause-return:1:2026-04-15" and returning[0].startswith("activity-report:")
    assert "1 back from a pause within a week." in fake_slack.messages_in("C0REVIEW")[0].text
    # Back on day 100: a new stretch from the return date.
    assert run(ctx, "reminders", after(155)) == []
    assert run(ctx, "reminders", after(156)) == ["inactivity:1:2026-04-15"]


def test_someone_not_in_slack_is_noticed_all_the_same_and_reported(
    db: Database, fake_slack: FakeSlack
) -> None:
    quiet_member(db, None, github="offline")
    ctx = job_context(db, fake_slack)
    assert run(ctx, "reminders", after(56)) == []
    assert steps(db) == [(1, LAST, "nudge", date(2026, 3, 2))]
    assert run(ctx, "activity", after(90))[0].startswith("activity-report:")
    assert "*Jane Doe* — 90 days" in str(fake_slack.messages_in("C0REVIEW")[0].blocks)


def test_steps_can_be_turned_off(db: Database, fake_slack: FakeSlack) -> None:
    quiet_member(db)
    ctx = job_context(db, fake_slack, inactivity_nudge_days=0, inactivity_report_days=0)
    assert run(ctx, "reminders", after(179)) == ["reminder:U0MEMBER:2026-07"]  # the pace reminder alone
    assert "weeks since we last heard" not in dm_texts(fake_slack, MEMBER)[0]
    assert [key.split(":")[0] for key in run(ctx, "activity", after(180))] == ["activity-report", "proposals"]
    assert outbox(db, "inactivity") == []


def test_the_activity_job_takes_as_many_statements_for_many_as_for_a_few(
    db: Database, fake_slack: FakeSlack
) -> None:
    """Reports, proposals and returns from pauses for a few members, then for five times as many: the
    same statements (one proposal insert, one list per page of the TSC's message)."""
    ctx = job_context(db, fake_slack)

    def statements_for(count: int, offset: int) -> int:
        for number in range(offset, offset + count):
            member_id = enrol(db, f"UQUIET{number:04d}", START, f"Quiet {number}", github=f"quiet{number}")
            add_contribution(db, member_id, LAST)
            with db.transaction() as session:
                session.add_all(
                    [
                        InactivityNotice(member_id=member_id, stretch_start=LAST, step=step, noticed_on=LAST)
                        for step in ("nudge", "report")
                    ]
                )
        counted = statements_during(db, lambda: run_job(ctx, "activity", after(180 + offset)))
        assert run_job(ctx, "activity", after(180 + offset)).enqueued == []
        return len(counted)

    few = statements_for(2, 0)
    many = statements_for(10, 100)
    assert few == many
