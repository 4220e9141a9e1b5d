"""The `renewals` job: notices 30 and 7 days before a term ends, and the verification the day after its last day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.blocks import ids
from bot.outbox.sender import deliver
from bot.store.db import Database
from bot.store.models import Member, Term
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, Bot
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, buttons, dm_texts, job_context, outbox

NOW = at("2026-11-24T10:00:00+00:00")
# These tests are about the verification deciding on its own; with the TSC deciding, see
# test_verification_decides.py.
AUTO = {"verification_decides": "auto"}
END_IN_30_DAYS = date(2026, 12, 24)


def ambassador(
    db: Database, slack_user_id: str, contributions: int, end: date = END_IN_30_DAYS, **kw: str
) -> int:
    start = date(end.year - 1, end.month, end.day) + timedelta(days=1)
    member_id = enrol(db, slack_user_id, start, **kw)
    for number in range(contributions):
        add_contribution(db, member_id, start + timedelta(days=10 + number), title=f"Talk {number}")
    return member_id


def notices(db: Database, fake: FakeSlack, when: datetime, **settings: object) -> list[str]:
    ctx = job_context(db, fake, **{**AUTO, **settings})
    result = run_job(ctx, "renewals", when)
    deliver(db, ctx.client, when, settings=ctx.settings)
    return [item.key for item in result.planned if item.kind == "renewal" and not item.existing]


def test_thirty_days_before_the_end_met_gets_a_renew_button(db: Database, fake_slack: FakeSlack) -> None:
    ambassador(db, MEMBER, 4)

    assert notices(db, fake_slack, NOW) == ["renewal:term1:T-30"]

    (text,) = dm_texts(fake_slack, MEMBER)
    assert (
        "ends on *2026-12-24* (30 days left)" in text and "You made 4 contributions (4 required) ✓," in text
    )
    post = fake_slack.calls_to("chat.postMessage")[0]
    assert buttons(post["blocks"]) == {ids.RENEW: "1"}


def test_not_met_says_how_many_are_missing(db: Database, fake_slack: FakeSlack) -> None:
    ambassador(db, MEMBER, 1)

    notices(db, fake_slack, NOW)

    (text,) = dm_texts(fake_slack, MEMBER)
    assert "*1 of 4 contributions*: *3 more* are needed to stay an ambassador" in text
    post = fake_slack.calls_to("chat.postMessage")[0]
    assert buttons(post["blocks"]) == {ids.LOG_OPEN: ""}


def test_each_notice_once_and_caught_up_after_downtime(db: Database, fake_slack: FakeSlack) -> None:
    ambassador(db, MEMBER, 1)  # ends 2026-12-24
    ambassador(db, OTHER, 1, end=date(2026, 12, 5), name="Olek Other", github="olek")  # 11 days left

    # The bot was down on OTHER's T-30 day: the T-30 notice goes out late, once; T-7 on its day.
    assert notices(db, fake_slack, NOW) == ["renewal:term1:T-30", "renewal:term2:T-30"]
    assert notices(db, fake_slack, NOW + timedelta(days=1)) == []
    assert notices(db, fake_slack, NOW + timedelta(days=4)) == ["renewal:term2:T-7"]
    assert notices(db, fake_slack, NOW + timedelta(days=23)) == ["renewal:term1:T-7"]
    assert notices(db, fake_slack, NOW + timedelta(days=26)) == []
    assert len(dm_texts(fake_slack, MEMBER)) == 2
    # OTHER: two notices, then (their term over, the requirement not met) the verification's DM.
    assert [text.split(" ")[0] for text in dm_texts(fake_slack, OTHER)] == [
        ":hourglass_flowing_sand:",
        ":hourglass_flowing_sand:",
        ":pray:",
    ]


def test_notice_days_are_configurable(db: Database, fake_slack: FakeSlack) -> None:
    ambassador(db, MEMBER, 4, end=date(2027, 1, 8))  # 45 days left

    assert notices(db, fake_slack, NOW, renewal_notice_days=[45, 14]) == ["renewal:term1:T-45"]
    (text,) = dm_texts(fake_slack, MEMBER)
    # Met, but the program's renewal window (30 days) is not open yet: no button.
    assert "Renewal opens 30 days before the end" in text
    assert buttons(fake_slack.calls_to("chat.postMessage")[0]["blocks"]) == {}


def test_snoozed_members_still_get_renewal_notices_and_renewed_ones_do_not(
    db: Database, fake_slack: FakeSlack
) -> None:
    snoozed = ambassador(db, MEMBER, 1)
    renewed = ambassador(db, OTHER, 4, name="Olek Other", github="olek")
    with db.transaction() as session:
        member = session.get(Member, snoozed)
        assert member is not None
        member.snoozed_until = NOW + timedelta(days=90)
        term = session.get(Term, renewed)
        assert term is not None
        term.renewal_requested_at = NOW - timedelta(days=1)

    assert notices(db, fake_slack, NOW) == ["renewal:term1:T-30"]


def test_notices_wait_for_the_members_local_daytime(db: Database, fake_slack: FakeSlack) -> None:
    ambassador(db, OTHER, 4, name="Olek Other", github="olek")  # Asia/Kolkata, UTC+5:30
    evening = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 19:30 in Kolkata

    notices(db, fake_slack, evening)

    assert dm_texts(fake_slack, OTHER) == []
    ctx = job_context(db, fake_slack)
    morning = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)  # 09:00 in Kolkata
    assert deliver(db, ctx.client, morning, settings=ctx.settings).sent == ["renewal:term1:T-30"]


# --- the yearly verification ---------------------------------------------------------------------

ENDED_YESTERDAY = date(2026, 11, 23)


def term_of(db: Database, member_id: int) -> list[tuple[str, date, date]]:
    with db.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        return [(term.status, term.start_on, term.end_on) for term in member.terms]


def status_of(db: Database, member_id: int) -> str:
    with db.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        return member.status


def three_terms_ending_yesterday(db: Database, fake: FakeSlack) -> tuple[int, int, int]:
    renewing = ambassador(db, MEMBER, 4, end=ENDED_YESTERDAY)
    with db.transaction() as session:
        term = session.get(Term, renewing)
        assert term is not None
        term.renewal_requested_at = NOW - timedelta(days=10)
    lapsing = ambassador(db, OTHER, 1, end=ENDED_YESTERDAY, name="Olek Other", github="olek")
    fake.add_user("U0MET", "Mel Met", tz="UTC")
    undecided = ambassador(db, "U0MET", 5, end=ENDED_YESTERDAY, name="Mel Met", github="mel")
    return renewing, lapsing, undecided


def test_verification_the_day_after_the_last_day(db: Database, fake_slack: FakeSlack) -> None:
    renewing, lapsing, undecided = three_terms_ending_yesterday(db, fake_slack)
    ctx = job_context(db, fake_slack, **AUTO)

    on_the_last_day = run_job(ctx, "renewals", NOW - timedelta(days=1))
    assert on_the_last_day.planned == [] and status_of(db, lapsing) == "active"

    result = run_job(ctx, "renewals", NOW)
    deliver(db, ctx.client, NOW, settings=ctx.settings)

    report_key = next(key for key in result.enqueued if key.startswith("verification-report:2026-11-24:"))
    assert sorted(result.enqueued) == [
        "emeritus:member:2:term:2",  # the thank-you of `become_emeritus`
        report_key,
        "verification:term1:renewed",
        "verification:term3:met",
    ]
    assert term_of(db, renewing) == [
        ("completed", date(2025, 11, 24), ENDED_YESTERDAY),
        ("active", date(2026, 11, 24), date(2027, 11, 23)),
    ]
    assert status_of(db, lapsing) == "emeritus" and term_of(db, lapsing)[0][0] == "lapsed"
    assert status_of(db, undecided) == "active"

    (renewed,) = dm_texts(fake_slack, MEMBER)
    assert "renewed for another year from 2026-11-24 to 2027-11-23" in renewed
    (lapsed,) = dm_texts(fake_slack, OTHER)
    assert (
        "with 1 contribution, short of the 4 the program asks for" in lapsed
        and "*emeritus* ambassador" in lapsed
    )
    assert "`/ambassador rejoin`" in lapsed
    (met,) = dm_texts(fake_slack, "U0MET")
    assert "renew by *2026-12-23*" in met
    met_post = next(c for c in fake_slack.calls_to("chat.postMessage") if c["channel"] == "U0MET")
    assert buttons(met_post["blocks"]) == {ids.RENEW: "3"}

    (report,) = fake_slack.messages_in("C0REVIEW")
    assert report.text.startswith("Term verification, 2026-11-24: 1 renewed, 1 pending renewal, 1 lapsed")
    body = str(report.blocks)
    assert "*Jane Doe* (<@U0MEMBER>) — 4 contributions (4 required) ✓, next term to 2027-11-23" in body
    assert "*Mel Met* (<@U0MET>) — 5 contributions (4 required) ✓, may renew until 2026-12-23" in body
    assert "*Olek Other* (<@U0OTHER>) — 1 of 4 contributions" in body

    # Run again, the same day or the next: nothing new, no new message.
    for later in (NOW + timedelta(hours=3), NOW + timedelta(days=1)):
        assert run_job(ctx, "renewals", later).enqueued == []
        deliver(db, ctx.client, later, settings=ctx.settings)
    assert len(fake_slack.messages) == 4


def test_met_without_renewing_becomes_emeritus_after_the_grace_period(
    db: Database, fake_slack: FakeSlack
) -> None:
    _, _, undecided = three_terms_ending_yesterday(db, fake_slack)
    ctx = job_context(db, fake_slack, **AUTO)
    run_job(ctx, "renewals", NOW)
    deliver(db, ctx.client, NOW, settings=ctx.settings)

    assert run_job(ctx, "renewals", datetime(2026, 12, 23, 10, tzinfo=UTC)).enqueued == []
    late = datetime(2026, 12, 24, 10, tzinfo=UTC)
    result = run_job(ctx, "renewals", late)
    deliver(db, ctx.client, late, settings=ctx.settings)

    assert "emeritus:member:3:term:3" in result.enqueued
    assert status_of(db, undecided) == "emeritus"
    assert "did not renew by 2026-12-23" in dm_texts(fake_slack, "U0MET")[-1]
    report = fake_slack.messages_in("C0REVIEW")[-1]
    assert "0 renewed, 0 pending renewal, 1 lapsed" in report.text
    assert "(met, but did not renew)" in str(report.blocks)


def test_a_dry_run_of_the_verification_changes_nothing(db: Database, fake_slack: FakeSlack) -> None:
    renewing, lapsing, _ = three_terms_ending_yesterday(db, fake_slack)
    ctx = job_context(db, fake_slack, **AUTO)

    result = run_job(ctx, "renewals", NOW, dry_run=True)

    assert result.notes == [
        "term 1 (Jane Doe): renewed",
        "term 2 (Olek Other): lapsed",
        "term 3 (Mel Met): met",
    ]
    # Renewed, met, and the lapsed member's thank-you (rolled back with the rest).
    assert len([p for p in result.planned if p.kind == "verification"]) == 3
    assert status_of(db, lapsing) == "active" and len(term_of(db, renewing)) == 1
    assert outbox(db) == [] and fake_slack.calls == []


def test_the_renew_button_in_the_notice_then_the_verification_renews(bot: Bot) -> None:
    member = ambassador(bot.db, MEMBER, 4)  # ends 2026-12-24
    ctx = job_context(bot.db, bot.fake, **AUTO)
    notices(bot.db, bot.fake, NOW)
    (notice,) = bot.fake.messages_in("D0MEMBER")
    bot.clock.set("2026-11-24T10:05:00")

    bot.slack.click(
        ids.RENEW,
        MEMBER,
        value=buttons(notice.blocks)[ids.RENEW],
        channel_id="D0MEMBER",
        message={"type": "message", "ts": notice.ts, "text": notice.text, "blocks": notice.blocks},
    )

    (update,) = bot.fake.wait_for_call("chat.update")
    assert update["ts"] == notice.ts and "Renewal requested" in update["text"]
    assert notices(bot.db, bot.fake, NOW + timedelta(days=23)) == []  # no T-7 once renewal is asked
    after_the_end = datetime(2026, 12, 25, 10, tzinfo=UTC)
    run_job(ctx, "renewals", after_the_end)
    deliver(bot.db, ctx.client, after_the_end, settings=ctx.settings)
    assert "renewed for another year from 2026-12-25 to 2027-12-24" in dm_texts(bot.fake, MEMBER)[-1]
    assert [status for status, _, _ in term_of(bot.db, member)] == ["completed", "active"]


def test_the_verification_tells_after_change_who_it_changed_once_committed(
    db: Database, fake_slack: FakeSlack
) -> None:
    renewing, lapsing, _ = three_terms_ending_yesterday(db, fake_slack)
    seen: list[tuple[str, str]] = []
    by_slack_id = {MEMBER: renewing, OTHER: lapsing}
    ctx = job_context(db, fake_slack, **AUTO)
    # Read from a fresh transaction: the change must be committed when the callback runs.
    ctx.after_change = lambda user_id: seen.append((user_id, status_of(db, by_slack_id[user_id])))

    run_job(ctx, "renewals", NOW, dry_run=True)
    assert seen == []

    run_job(ctx, "renewals", NOW)
    # The renewed and the lapsed member; not U0MET, whose term waits for a renewal (nothing changed).
    assert seen == [(MEMBER, "active"), (OTHER, "emeritus")]
    assert len(term_of(db, renewing)) == 2

    run_job(ctx, "renewals", NOW + timedelta(hours=3))
    assert len(seen) == 2  # verified before: nothing changed, nobody told again


def test_a_failing_after_change_does_not_undo_or_stop_the_verification(
    db: Database, fake_slack: FakeSlack
) -> None:
    _, lapsing, _ = three_terms_ending_yesterday(db, fake_slack)
    told: list[str] = []

    def refresh(user_id: str) -> None:
        told.append(user_id)
        raise RuntimeError("views.publish failed")

    ctx = job_context(db, fake_slack, **AUTO)
    ctx.after_change = refresh

    result = run_job(ctx, "renewals", NOW)

    assert told == [MEMBER, OTHER]
    assert status_of(db, lapsing) == "emeritus"
    assert "emeritus:member:2:term:2" in result.enqueued


def test_wired_to_deps_changed_the_verification_refreshes_the_app_home(bot: Bot) -> None:
    # What `serve` does: the jobs' after_change calls the app's change listeners (the Home refresh).
    lapsing = ambassador(bot.db, MEMBER, 1, end=ENDED_YESTERDAY)
    bot.clock.set("2026-11-24T10:00:00")
    ctx = job_context(bot.db, bot.fake, **AUTO)
    ctx.after_change = lambda user_id: bot.deps.changed(ctx.client, user_id)

    run_job(ctx, "renewals", NOW)

    assert status_of(bot.db, lapsing) == "emeritus"
    bot.fake.wait_for_call("views.publish")  # drawn in the background, after the job committed
    bot.fake.wait_until_quiet()
    (published,) = [call for call in bot.fake.calls_to("views.publish") if call["user_id"] == MEMBER]
    assert "emeritus" in str(published["view"]).lower()
