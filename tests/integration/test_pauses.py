"""Pausing a membership on a real database (SQLite and PostgreSQL): the term moves and moves back, one
open pause per member whatever happens at once, the TSC's pauses told and audited, reminders stop, and
the `activity` job announces the return a week ahead, once."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.blocks.pauses import PAUSE_MESSAGES
from bot.outbox.sender import deliver
from bot.rules.pauses import PauseRefusal
from bot.services import pauses
from bot.services.membership import terms
from bot.services.pauses import PausePolicy, PauseStatus, ResumeStatus
from bot.store.db import Database
from bot.store.models import AuditEvent, OutboxMessage, Pause, Term
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, TSC
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, dm_texts, job_context, outbox

NOW = at("2026-03-01T10:00:00+00:00")
TODAY = NOW.date()
START = date(2025, 11, 24)  # the term runs to 2026-11-23
POLICY = PausePolicy()


def pause(
    db: Database,
    until: date,
    *,
    who: str = MEMBER,
    actor: str = MEMBER,
    today: date = TODAY,
    reason: str | None = None,
    policy: PausePolicy = POLICY,
) -> pauses.PauseResult:
    return pauses.pause_member(
        db, who, until, reason, today=today, now=NOW, actor=actor, policy=policy, messages=PAUSE_MESSAGES
    )


def resume(db: Database, today: date, *, who: str = MEMBER, actor: str = MEMBER) -> pauses.ResumeResult:
    return pauses.resume_member(db, who, today=today, now=NOW, actor=actor, messages=PAUSE_MESSAGES)


def term_end(db: Database) -> tuple[date, int]:
    with db.transaction() as session:
        term = session.scalars(select(Term).where(Term.status == "active")).one()
        return term.end_on, term.paused_days


def audit(db: Database) -> list[tuple[str, str, dict[str, object]]]:
    with db.transaction() as session:
        return [
            (e.actor, e.action, e.details)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def test_a_pause_moves_the_term_s_end_and_coming_back_early_moves_it_back(db: Database) -> None:
    enrol(db, MEMBER, START)

    paused = pause(db, date(2026, 4, 1), reason="Exams")

    assert paused.status is PauseStatus.PAUSED and paused.pause is not None
    assert (paused.pause.term_days, paused.pause.term_end) == (31, date(2026, 12, 24))
    assert term_end(db) == (date(2026, 12, 24), 31)
    assert pause(db, date(2026, 4, 1)).status is PauseStatus.UNCHANGED

    # A later return date: the same pause, the term moves by the difference.
    later = pause(db, date(2026, 5, 1), today=date(2026, 3, 20))
    assert (later.status, later.previous_until) == (PauseStatus.CHANGED, date(2026, 4, 1))
    assert term_end(db) == (date(2027, 1, 23), 61)

    back = resume(db, date(2026, 3, 11))
    assert back.status is ResumeStatus.RESUMED
    assert term_end(db) == (date(2026, 12, 3), 10)  # ten days away
    assert resume(db, date(2026, 3, 12)).status is ResumeStatus.NOT_PAUSED
    with db.transaction() as session:
        (row,) = session.scalars(select(Pause)).all()
        assert (row.start_on, row.until_on, row.closed_on, row.closed_by) == (
            TODAY,
            date(2026, 5, 1),
            date(2026, 3, 11),
            MEMBER,
        )
    assert [action for _, action, _ in audit(db)] == ["pause.started", "pause.changed", "pause.resumed"]


def test_without_pause_extends_term_the_end_stays(db: Database) -> None:
    enrol(db, MEMBER, START)
    result = pause(db, date(2026, 4, 1), policy=PausePolicy(extends_term=False))
    assert result.pause is not None and result.pause.term_days == 0
    assert term_end(db) == (date(2026, 11, 23), 0)


def test_refusals_change_nothing(db: Database) -> None:
    assert pause(db, date(2026, 4, 1)).status is PauseStatus.NOT_AMBASSADOR
    enrol(db, MEMBER, START)
    too_long = pause(db, date(2026, 9, 1))
    assert (too_long.status, too_long.refusal, too_long.latest_return) == (
        PauseStatus.REFUSED,
        PauseRefusal.TOO_LONG,
        date(2026, 8, 31),
    )
    assert pause(db, TODAY).refusal is PauseRefusal.NOT_AFTER_TODAY
    assert term_end(db) == (date(2026, 11, 23), 0) and audit(db) == []


def test_a_finished_pause_is_closed_and_a_new_one_may_start(db: Database) -> None:
    enrol(db, MEMBER, START)
    pause(db, date(2026, 3, 10))
    again = pause(db, date(2026, 5, 1), today=date(2026, 4, 1))
    assert again.status is PauseStatus.PAUSED
    assert term_end(db) == (date(2026, 11, 23) + timedelta(days=9 + 30), 39)
    with db.transaction() as session:
        rows = session.scalars(select(Pause).order_by(Pause.id)).all()
        assert [(p.closed_on, p.closed_by) for p in rows] == [(date(2026, 3, 10), "scheduler"), (None, None)]


def test_a_tsc_member_pauses_someone_who_is_told_and_named_in_the_audit(db: Database) -> None:
    enrol(db, MEMBER, START)
    result = pause(db, date(2026, 4, 1), actor=TSC, reason="Asked by email")
    assert result.outbox_keys == ["paused:1:2026-04-01"]
    (told,) = outbox(db, "pause")
    assert told.channel == MEMBER and "<@U0TSC> paused your ambassador membership" in told.text
    back = resume(db, date(2026, 3, 5), actor=TSC)
    assert back.outbox_keys and "ended the pause" in outbox(db, "pause")[-1].text
    assert [(actor, action) for actor, action, _ in audit(db)] == [
        (TSC, "pause.started"),
        (TSC, "pause.resumed"),
    ]


def test_an_extension_set_later_keeps_the_days_of_a_pause(db: Database) -> None:
    enrol(db, MEMBER, START)
    pause(db, date(2026, 4, 1))
    with db.transaction() as session:
        term_id = session.scalars(select(Term.id)).one()
        change = terms.extend(session, term_id, 30, now=NOW, actor=TSC)
    assert change.term is not None and change.term.end == date(2026, 11, 23) + timedelta(days=30 + 31)


@pytest.mark.postgres_only
def test_two_pauses_at_once_leave_one_open_pause(db: Database) -> None:
    enrol(db, MEMBER, START)
    barrier = threading.Barrier(4)
    results: list[PauseStatus] = []
    errors: list[BaseException] = []

    def run(until: date) -> None:
        try:
            barrier.wait()
            results.append(pause(db, until).status)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(date(2026, 4, day),)) for day in (1, 1, 2, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results.count(PauseStatus.PAUSED) == 1
    with db.transaction() as session:
        (open_pause,) = session.scalars(select(Pause).where(Pause.closed_on.is_(None))).all()
    # Whatever order they came in, the term moved by the open pause's length, once.
    assert term_end(db) == (date(2026, 11, 23) + timedelta(days=open_pause.term_days), open_pause.term_days)


def test_reminders_stop_while_paused(db: Database, fake_slack: FakeSlack) -> None:
    member_id = enrol(db, MEMBER, date(2025, 9, 1))  # behind pace by March
    add_contribution(db, member_id, date(2026, 2, 20))
    ctx = job_context(db, fake_slack)
    pause(db, date(2026, 4, 1))

    assert run_job(ctx, "reminders", NOW).planned == []
    assert run_job(ctx, "reminders", at("2026-04-02T10:00:00+00:00")).enqueued == [
        "reminder:U0MEMBER:2026-04"
    ]


def test_the_return_is_announced_a_week_ahead_once_and_listed_for_the_tsc(
    db: Database, fake_slack: FakeSlack
) -> None:
    enrol(db, MEMBER, START)
    add_contribution(db, enrol(db, OTHER, START, name="Olek Other", github="olek"), date(2026, 3, 1))
    pause(db, date(2026, 4, 1), reason="Parental leave")
    ctx = job_context(db, fake_slack)

    assert run_job(ctx, "activity", at("2026-03-24T10:00:00+00:00")).enqueued == []
    week_before = at("2026-03-25T10:00:00+00:00")
    result = run_job(ctx, "activity", week_before)
    deliver(db, ctx.client, week_before, settings=ctx.settings)

    report_key = next(key for key in result.enqueued if key.startswith("activity-report:"))
    assert sorted(result.enqueued) == [report_key, "pause-return:1:2026-04-01"]
    (notice,) = dm_texts(fake_slack, MEMBER)
    assert "Your pause ends on *2026-04-01*" in notice and "`/ambassador resume`" in notice
    (report,) = fake_slack.messages_in("C0REVIEW")
    assert report.text.startswith("Between renewals, 2026-03-25: 1 back from a pause within a week")
    assert "*Jane Doe* (<@U0MEMBER>) — back on 2026-04-01 (Parental leave)" in str(report.blocks)

    for later in ("2026-03-26T10:00:00+00:00", "2026-03-31T10:00:00+00:00"):
        assert run_job(ctx, "activity", at(later)).enqueued == []
    # On the return date the pause is over, and closed.
    back = run_job(ctx, "activity", at("2026-04-01T10:00:00+00:00"))
    assert back.notes == ["1 pause over: closed"]
    with db.transaction() as session:
        assert session.scalars(select(Pause.closed_on)).one() == date(2026, 4, 1)
        assert session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all() == [
            "pause_return",
            "activity_report",
        ]


def test_a_dry_run_of_the_activity_job_writes_nothing(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, START)
    pause(db, date(2026, 3, 5))
    result = run_job(job_context(db, fake_slack), "activity", NOW, dry_run=True)
    assert [item.key for item in result.planned][:1] == ["pause-return:1:2026-03-05"]
    assert outbox(db) == [] and fake_slack.calls == []
