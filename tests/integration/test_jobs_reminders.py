"""The `reminders` job: a DM to ambassadors behind pace, once per period, respecting snoozes and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.blocks import ids
from bot.outbox.sender import deliver
from bot.rules import membership as membership_rules
from bot.services import jobs as due
from bot.services.members import member_by_slack_id
from bot.store.db import Database
from bot.store.models import Member, OutboxStatus
from jobs import reminders
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, Bot
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, buttons, dm_texts, job_context, outbox

NOW = at("2026-11-24T10:00:00+00:00")  # 11:00 in Madrid, the member's Slack time zone
# Pace reminders alone; the inactivity notices, and how the two meet, are in test_inactivity.py.
PACE_ONLY = {"inactivity_nudge_days": 0, "inactivity_report_days": 0, "inactivity_propose_days": 0}


def behind_and_on_pace(db: Database) -> tuple[int, int]:
    """MEMBER: 1 of 4 with 2 expected by now (behind); OTHER: 3 of 4 (on pace until the end)."""
    behind = enrol(db, MEMBER, date(2026, 3, 2))
    add_contribution(db, behind, date(2026, 4, 10))
    on_pace = enrol(db, OTHER, date(2026, 3, 2), name="Olek Other", github="olek")
    add_contribution(db, on_pace, date(2026, 4, 10))
    add_contribution(db, on_pace, date(2026, 9, 1))
    add_contribution(db, on_pace, date(2026, 10, 1))
    return behind, on_pace


def test_reminds_only_the_ambassador_behind_pace(db: Database, fake_slack: FakeSlack) -> None:
    behind_and_on_pace(db)
    ctx = job_context(db, fake_slack, **PACE_ONLY)

    result = run_job(ctx, "reminders", NOW)
    report = deliver(db, ctx.client, NOW, settings=ctx.settings)

    assert result.enqueued == ["reminder:U0MEMBER:2026-11"]
    assert report.sent == ["reminder:U0MEMBER:2026-11"]
    (text,) = dm_texts(fake_slack, MEMBER)
    assert "*1 of 4* contributions so far, 2 expected by now" in text
    assert "3 to go, 97 days left (term ends 2027-03-01)" in text
    assert dm_texts(fake_slack, OTHER) == []
    post = fake_slack.calls_to("chat.postMessage")[0]
    assert buttons(post["blocks"]) == {ids.LOG_OPEN: "", ids.SNOOZE: "30"}
    assert "snooze 30d" in str(post["blocks"])


def test_a_job_run_twice_or_again_later_in_the_month_sends_one_reminder(
    db: Database, fake_slack: FakeSlack
) -> None:
    behind_and_on_pace(db)
    ctx = job_context(db, fake_slack, **PACE_ONLY)

    first = run_job(ctx, "reminders", NOW)
    second = run_job(ctx, "reminders", NOW)
    deliver(db, ctx.client, NOW, settings=ctx.settings)
    later = run_job(ctx, "reminders", NOW + timedelta(days=5))
    deliver(db, ctx.client, NOW + timedelta(days=5), settings=ctx.settings)

    assert first.enqueued == ["reminder:U0MEMBER:2026-11"]
    assert second.enqueued == later.enqueued == []
    assert [item.existing for item in later.planned] == [True]
    assert len(dm_texts(fake_slack, MEMBER)) == 1
    # A new month is a new period.
    december = NOW + timedelta(days=10)
    assert run_job(ctx, "reminders", december).enqueued == ["reminder:U0MEMBER:2026-12"]


def test_never_in_the_first_weeks_of_a_term(db: Database, fake_slack: FakeSlack) -> None:
    # 12 a year: 40 days in, one is expected by now and the member has none.
    enrol(db, MEMBER, date(2026, 10, 15))
    strict = job_context(db, fake_slack, **PACE_ONLY, required_contributions=12, reminder_grace_days=60)
    lenient = job_context(db, fake_slack, **PACE_ONLY, required_contributions=12, reminder_grace_days=30)

    assert run_job(strict, "reminders", NOW).planned == []
    assert [p.key for p in run_job(lenient, "reminders", NOW).planned] == ["reminder:U0MEMBER:2026-11"]


def test_not_in_the_last_days_when_the_renewal_notices_speak(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, date(2025, 12, 15))  # ends 2026-12-14: 20 days left, nothing logged
    ctx = job_context(db, fake_slack, **PACE_ONLY)

    assert run_job(ctx, "reminders", NOW).planned == []
    # Behind pace all the same: with the last notice at 7 days, 20 days left still gets a reminder.
    last_notice_at_7 = job_context(db, fake_slack, **PACE_ONLY, renewal_notice_days=[7])
    assert [p.key for p in run_job(last_notice_at_7, "reminders", NOW).planned] == [
        "reminder:U0MEMBER:2026-11"
    ]


def test_a_snooze_pauses_reminders_until_it_ends(bot: Bot) -> None:
    behind_and_on_pace(bot.db)
    bot.clock.set("2026-11-24T10:00:00")
    ctx = job_context(bot.db, bot.fake, **PACE_ONLY)

    reply = bot.slack.command("snooze 2w", MEMBER).json["text"]

    assert "paused until 2026-12-08" in reply
    assert run_job(ctx, "reminders", NOW).planned == []
    assert [p.key for p in run_job(ctx, "reminders", NOW + timedelta(days=15)).planned] == [
        "reminder:U0MEMBER:2026-12"
    ]


def test_snooze_off_resumes_them(bot: Bot) -> None:
    behind_and_on_pace(bot.db)
    bot.clock.set("2026-11-24T10:00:00")
    bot.slack.command("snooze 3m", MEMBER)
    ctx = job_context(bot.db, bot.fake, **PACE_ONLY)

    reply = bot.slack.command("snooze off", MEMBER).json["text"]

    assert "back on" in reply
    assert len(run_job(ctx, "reminders", NOW).planned) == 1
    assert "already on" in bot.slack.command("snooze off", MEMBER).json["text"]


def test_snooze_refusals_say_what_to_type(bot: Bot) -> None:
    behind_and_on_pace(bot.db)
    for text in ("snooze forever", "snooze 400d", "snooze 2x"):
        reply = bot.slack.command(text, MEMBER).json["text"]
        assert "could not read" in reply and "snooze 30d" in reply, text
    assert "current ambassadors" in bot.slack.command("snooze 30d", "U0TSC").json["text"]
    with bot.db.transaction() as session:
        member = member_by_slack_id(session, MEMBER)
        assert member is not None and member.snoozed_until is None


def test_the_snooze_button_in_the_reminder_dm(bot: Bot) -> None:
    behind_and_on_pace(bot.db)
    bot.clock.set("2026-11-24T10:00:00")
    ctx = job_context(bot.db, bot.fake, **PACE_ONLY)
    run_job(ctx, "reminders", NOW)
    deliver(bot.db, ctx.client, NOW, settings=ctx.settings)
    (reminder,) = bot.fake.messages_in("D0MEMBER")

    response = bot.slack.click(
        ids.SNOOZE,
        MEMBER,
        value="30",
        channel_id="D0MEMBER",
        message={"type": "message", "ts": reminder.ts, "text": reminder.text, "blocks": reminder.blocks},
    )

    assert response.status == 200
    answer = bot.fake.wait_for(lambda: bot.fake.responses)[0]
    assert "paused until 2026-12-24" in answer["text"]
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    with bot.db.transaction() as session:
        member = session.get(Member, 1)
        assert member is not None and member.snoozed_until == datetime(2026, 12, 24, 10, tzinfo=UTC)


def test_the_resume_button_from_the_app_home(bot: Bot) -> None:
    behind_and_on_pace(bot.db)
    bot.clock.set("2026-11-24T10:00:00")
    assert "paused until 2026-12-24" in bot.slack.command("snooze 30d", MEMBER).json["text"]

    def homes() -> list[str]:
        return [str(call["view"]) for call in bot.fake.calls_to("views.publish") if call["user_id"] == MEMBER]

    # A slash command answers where it was typed; the Home is drawn when opened, not for nobody.
    bot.fake.wait_until_quiet()
    assert homes() == []
    response = bot.slack.click(ids.RESUME, MEMBER, view={"id": "VHOME", "type": "home", "blocks": []})

    assert response.status == 200

    def resumed() -> bool:
        with bot.db.transaction() as session:
            member = session.get(Member, 1)
            return member is not None and member.snoozed_until is None

    bot.fake.wait_for(resumed)
    # In the App Home there is no message to answer under: the refreshed Home is the answer.
    bot.fake.wait_for(lambda: homes() and "snoozed until" not in homes()[-1])
    assert ids.SNOOZE in homes()[-1] and ids.RESUME not in homes()[-1]


def test_reminders_wait_for_the_members_local_morning(db: Database, fake_slack: FakeSlack) -> None:
    behind_and_on_pace(db)
    ctx = job_context(db, fake_slack, **PACE_ONLY, local_send_hours=(9, 18))
    night = at("2026-11-24T03:00:00+00:00")  # 04:00 in Madrid

    run_job(ctx, "reminders", night)
    first = deliver(db, ctx.client, night, settings=ctx.settings)

    assert first.deferred == ["reminder:U0MEMBER:2026-11"] and dm_texts(fake_slack, MEMBER) == []
    (row,) = outbox(db, "reminder")
    assert (row.status, row.next_attempt_at) == (OutboxStatus.PENDING, at("2026-11-24T08:00:00+00:00"))
    assert deliver(db, ctx.client, at("2026-11-24T08:00:00+00:00"), settings=ctx.settings).sent == [
        "reminder:U0MEMBER:2026-11"
    ]


def test_reminders_every_n_days_use_term_periods(db: Database, fake_slack: FakeSlack) -> None:
    behind_and_on_pace(db)
    ctx = job_context(db, fake_slack, **PACE_ONLY, reminder_interval_days=14)

    first = run_job(ctx, "reminders", NOW)
    assert first.enqueued == ["reminder:U0MEMBER:term1-p19"]  # day 267 of the term
    # Day 266 started period 19; period 20 starts on day 280.
    assert run_job(ctx, "reminders", NOW + timedelta(days=12)).enqueued == []
    assert run_job(ctx, "reminders", NOW + timedelta(days=13)).enqueued == ["reminder:U0MEMBER:term1-p20"]


def test_a_dry_run_shows_who_would_get_what_and_writes_nothing(db: Database, fake_slack: FakeSlack) -> None:
    behind_and_on_pace(db)
    ctx = job_context(db, fake_slack, **PACE_ONLY)

    result = reminders.run(ctx, NOW, dry_run=True)

    assert [(p.key, p.channel, p.existing) for p in result.planned] == [
        ("reminder:U0MEMBER:2026-11", MEMBER, False)
    ]
    assert "1 of 4" in result.planned[0].text
    assert result.enqueued == [] and outbox(db) == [] and fake_slack.calls == []


def test_policy_rules_with_plain_dates() -> None:
    term = membership_rules.Term(date(2026, 3, 2), date(2027, 3, 1))
    policy = due.ReminderPolicy(interval_days=0, grace_days=30, notice_days=(30, 7))
    now = datetime(2026, 11, 24, tzinfo=UTC)
    behind = membership_rules.Progress(term, date(2026, 11, 24), 1, 4)
    assert due.reminder_due(behind, None, now, policy)
    assert not due.reminder_due(behind, now + timedelta(seconds=1), now, policy)
    assert due.reminder_due(behind, now, now, policy)  # a snooze that just ended
    assert not due.reminder_due(membership_rules.Progress(term, date(2026, 11, 24), 2, 4), None, now, policy)
    assert not due.reminder_due(membership_rules.Progress(term, date(2027, 2, 1), 1, 4), None, now, policy)
    assert due.reminder_period(7, term.start, date(2027, 1, 31), 0) == "2027-01"
    assert due.reminder_period(7, term.start, term.start + timedelta(days=13), 14) == "term7-p0"
    assert due.reminder_period(7, term.start, term.start + timedelta(days=14), 14) == "term7-p1"
    assert [due.renewal_notice_due(d, [30, 7]) for d in (31, 30, 12, 8, 7, 1, 0)] == [
        None,
        30,
        30,
        30,
        7,
        7,
        None,
    ]
    assert due.renewal_notice_due(5, []) is None


def test_a_dry_run_right_after_an_import_says_why_nobody_is_due_and_when_someone_will_be(
    db: Database, fake_slack: FakeSlack
) -> None:
    # As after `import --term-start 2026-03-01`: everyone in their first days, one without Slack.
    for number in range(8):
        enrol(db, f"U0AMB{number}", date(2026, 3, 1), name=f"Ambassador {number}", github=f"amb{number}")
    enrol(db, None, date(2026, 3, 1), name="Not Linked", github="notlinked")
    ctx = job_context(db, fake_slack, **PACE_ONLY)

    result = run_job(ctx, "reminders", at("2026-03-01T09:00:00+00:00"), dry_run=True)

    assert result.summary() == "reminders: 0 due, 0 new, 0 queued"
    assert result.reasons == [
        "not due: 8 ambassadors in the first 30 days of their term (REMINDER_GRACE_DAYS)",
        "not reminded: 1 ambassador without a Slack account linked (`/ambassador admin link`)",
        "the first reminder falls due on 2026-06-01 (Ambassador 0 and 7 more), if nothing is logged "
        "before: `ambassador-bot jobs run reminders --now 2026-06-01 --dry-run` shows it",
    ]
    # The day it names is the first day the job finds them behind, and not the day before.
    assert len(run_job(ctx, "reminders", at("2026-05-31T23:00:00+00:00"), dry_run=True).planned) == 0
    assert len(run_job(ctx, "reminders", at("2026-06-01T09:00:00+00:00"), dry_run=True).planned) == 8
    assert outbox(db) == []


def test_the_reasons_name_each_kind_of_ambassador_not_due(db: Database, fake_slack: FakeSlack) -> None:
    behind_and_on_pace(db)
    snoozed = enrol(db, "U0SNOOZE", date(2026, 3, 2), name="Sam Snooze", github="sam")
    with db.transaction() as session:
        member = session.get(Member, snoozed)
        assert member is not None
        member.snoozed_until = NOW + timedelta(days=10)
    enrol(db, "U0ENDING", date(2025, 12, 20), name="Erin Ending", github="erin")

    result = run_job(job_context(db, fake_slack, **PACE_ONLY), "reminders", NOW, dry_run=True)

    assert [item.key for item in result.planned] == ["reminder:U0MEMBER:2026-11"]
    assert result.reasons == [
        "not due: 1 ambassador on pace or done",
        "not due: 1 ambassador snoozed",
        "not due: 1 ambassador in the last 30 days of their term, when the renewal notices speak instead",
    ]


def test_the_first_day_due_is_the_first_day_the_rule_says_so() -> None:
    policy = due.ReminderPolicy(interval_days=0, grace_days=30, notice_days=(30, 7))
    term = membership_rules.first_term(date(2026, 3, 2))
    for counted in range(5):
        for today in (date(2026, 3, 2), date(2026, 5, 17), date(2026, 9, 30), date(2027, 1, 20)):
            current = membership_rules.Progress(term, today, counted, 4)
            scanned = next(
                (
                    today + timedelta(days=offset)
                    for offset in range((term.end - today).days + 1)
                    if due.reminder_due(
                        membership_rules.Progress(term, today + timedelta(days=offset), counted, 4),
                        None,
                        datetime.combine(today + timedelta(days=offset), datetime.min.time(), UTC),
                        policy,
                    )
                ),
                None,
            )
            assert due.first_reminder_day(current, None, policy) == scanned, (counted, today)


def test_a_reminder_still_waiting_for_daytime_is_replaced_by_next_months_not_sent_beside_it(
    db: Database, fake_slack: FakeSlack
) -> None:
    behind_and_on_pace(db)
    ctx = job_context(db, fake_slack, local_send_hours=(9, 18))
    october_night = at("2026-10-31T22:30:00+00:00")  # 23:30 in Madrid: the reminder waits for morning

    run_job(ctx, "reminders", october_night)
    deferred = deliver(db, ctx.client, october_night, settings=ctx.settings)
    assert deferred.deferred == ["reminder:U0MEMBER:2026-10"]
    # The sender stays stopped overnight; November's run finds the member still behind.
    november = run_job(ctx, "reminders", at("2026-11-01T06:00:00+00:00"))
    assert november.enqueued == ["reminder:U0MEMBER:2026-11"]
    assert november.notes == ["1 older reminder(s) still waiting were replaced"]

    morning = at("2026-11-01T08:00:00+00:00")  # 09:00 in Madrid
    report = deliver(db, ctx.client, morning, settings=ctx.settings)

    assert report.sent == ["reminder:U0MEMBER:2026-11"]
    assert len(dm_texts(fake_slack, MEMBER)) == 1
    statuses = {row.key: row.status for row in outbox(db, "reminder")}
    assert statuses == {
        "reminder:U0MEMBER:2026-10": OutboxStatus.CANCELLED,
        "reminder:U0MEMBER:2026-11": OutboxStatus.SENT,
    }
    # A rerun of November's job replaces nothing more.
    assert run_job(ctx, "reminders", morning).notes == []
