"""The `renewals` job: notices 30 and 7 days before a term ends, and the verification on its last day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot import ids
from bot.db import Database
from bot.models import Member, Term
from jobs.scheduler import run_job
from jobs.sender import deliver
from tests.conftest import MEMBER, OTHER
from tests.factories import add_contribution, enrol
from tests.fake_slack import FakeSlack
from tests.jobs_helpers import at, buttons, dm_texts, job_context

NOW = at("2026-11-24T10:00:00+00:00")
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
    ctx = job_context(db, fake, **settings)
    result = run_job(ctx, "renewals", when)
    deliver(db, ctx.client, when, settings=ctx.settings)
    return [item.key for item in result.planned if item.kind == "renewal" and not item.existing]


def test_thirty_days_before_the_end_met_gets_a_renew_button(db: Database, fake_slack: FakeSlack) -> None:
    ambassador(db, MEMBER, 4)

    assert notices(db, fake_slack, NOW) == ["renewal:term1:T-30"]

    (text,) = dm_texts(fake_slack, MEMBER)
    assert "ends on *2026-12-24* (30 days left)" in text and "*4 of 4*" in text
    post = fake_slack.calls_to("chat.postMessage")[0]
    assert buttons(post["blocks"]) == {ids.RENEW: "1"}


def test_not_met_says_how_many_are_missing(db: Database, fake_slack: FakeSlack) -> None:
    ambassador(db, MEMBER, 1)

    notices(db, fake_slack, NOW)

    (text,) = dm_texts(fake_slack, MEMBER)
    assert "*1 of 4* contributions: *3 more* are needed to stay an ambassador" in text
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
    assert len(dm_texts(fake_slack, MEMBER)) == 2 and len(dm_texts(fake_slack, OTHER)) == 2


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
