"""The yearly verification and the TSC's review of contributions, on both databases: a term that ended
with 3 counted and a 4th waiting for the TSC is not decided while the TSC has not looked (at most the
renewal grace), is met once a TSC member verifies the 4th, and is decided on what counts after the
grace; the TSC's Home counts what waits for their review (with CONTRIBUTION_REVIEW=tsc only)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.blocks import ids
from bot.blocks import review as review_blocks
from bot.outbox.sender import deliver
from bot.rules.review import ReviewDecision
from bot.services import home, review
from bot.services.contributions import ContributionDraft, log_contribution
from bot.services.membership import renewals, verification
from bot.services.membership.terms import RenewalStatus
from bot.store.db import Database
from bot.store.models import EmeritusProposal, Member, Term
from jobs.runner import JobContext, JobResult
from jobs.scheduler import run_job
from tests.conftest import MEMBER, REVIEW_CHANNEL, TSC
from tests.e2e.test_home import statements_during
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, buttons, dm_texts, job_context

START = date(2025, 11, 24)  # the term runs to 2026-11-23; the renewal grace to 2026-12-23
DAY_AFTER = at("2026-11-24T10:00:00+00:00")
LAST_DAY_OF_GRACE = at("2026-12-23T10:00:00+00:00")
AUTO = {"verification_decides": "auto"}


def ambassador(db: Database, counted: int, waiting: int) -> tuple[int, list[int]]:
    """MEMBER with `counted` contributions that count and `waiting` logged under the review."""
    member_id = enrol(db, MEMBER, START, "Jane Doe")
    for number in range(counted):
        add_contribution(db, member_id, START + timedelta(days=10 + number), title=f"Talk {number}")
    logged = []
    for number in range(waiting):
        draft = ContributionDraft(
            type="article",
            title=f"Waiting {number}",
            link=f"https://dev.to/jane/waiting-{number}",
            occurred_on=date(2026, 11, 1 + number),
        )
        when = datetime(2026, 11, 20, 9, tzinfo=UTC)
        done = log_contribution(db, MEMBER, draft, when.date(), when, 4, review="tsc")
        logged.append(done.contribution_id)
    return member_id, logged


def verify(db: Database, contribution_id: int, when: datetime) -> None:
    decided = review.decide(
        db,
        contribution_id,
        ReviewDecision.VERIFY,
        review.Deciding(TSC, True, when, review_blocks.REVIEW_MESSAGES),
    )
    assert decided.status is review.ReviewStatus.DECIDED


def run(ctx: JobContext, when: datetime) -> JobResult:
    result = run_job(ctx, "renewals", when)
    deliver(ctx.db, ctx.client, when, settings=ctx.settings)
    return result


def standing(db: Database, member_id: int) -> tuple[str, list[str]]:
    with db.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        terms = session.scalars(select(Term.status).where(Term.member_id == member_id).order_by(Term.id))
        return member.status, list(terms)


def proposals(db: Database) -> list[EmeritusProposal]:
    with db.transaction() as session:
        found = list(session.scalars(select(EmeritusProposal)))
        session.expunge_all()
        return found


def test_a_term_waits_for_the_tsc_s_review_and_is_met_once_they_verify(
    db: Database, fake_slack: FakeSlack
) -> None:
    member_id, (fourth,) = ambassador(db, counted=3, waiting=1)
    ctx = job_context(db, fake_slack)  # VERIFICATION_DECIDES=tsc: it would be proposed for emeritus

    for day in (0, 1):
        result = run(ctx, DAY_AFTER + timedelta(days=day))
        assert result.enqueued == []
        assert result.notes == [
            "term 1 (Jane Doe): waits for the TSC's review of 1 contribution(s), until 2026-12-23 at the latest"
        ]
    assert standing(db, member_id) == ("active", ["active"])
    assert proposals(db) == [] and dm_texts(fake_slack, MEMBER) == []
    assert fake_slack.messages_in(REVIEW_CHANNEL) == []
    # The member may not renew on what does not count yet.
    today = DAY_AFTER.date()
    refused = renewals.renew_for(db, MEMBER, None, today=today, now=DAY_AFTER, required=4)
    assert refused is not None and refused.status is RenewalStatus.REFUSED

    verify(db, fourth, DAY_AFTER + timedelta(days=2))
    when = DAY_AFTER + timedelta(days=3)
    result = run(ctx, when)
    assert result.notes == ["term 1 (Jane Doe): met"]
    (text,) = dm_texts(fake_slack, MEMBER)
    assert "you met the requirement (4 contributions (4 required) ✓). To stay on" in text
    assert "renew by *2026-12-23*" in text
    assert buttons(fake_slack.calls_to("chat.postMessage")[0]["blocks"]) == {ids.RENEW: "1"}
    (report,) = fake_slack.messages_in(REVIEW_CHANNEL)
    assert "1 pending renewal, 0 lapsed" in report.text
    renewed = renewals.renew_for(db, MEMBER, 1, today=when.date(), now=when, required=4)
    assert renewed is not None and renewed.status is RenewalStatus.RENEWED
    assert standing(db, member_id) == ("active", ["completed", "active"])


def test_a_term_still_waiting_after_the_grace_lapses_on_what_counts(
    db: Database, fake_slack: FakeSlack
) -> None:
    member_id, _ = ambassador(db, counted=3, waiting=1)
    ctx = job_context(db, fake_slack, **AUTO)

    assert run(ctx, LAST_DAY_OF_GRACE).enqueued == []
    assert standing(db, member_id) == ("active", ["active"])

    result = run(ctx, LAST_DAY_OF_GRACE + timedelta(days=1))
    assert result.notes == ["term 1 (Jane Doe): lapsed"]
    assert standing(db, member_id) == ("emeritus", ["lapsed"])
    (thanks,) = dm_texts(fake_slack, MEMBER)
    assert (
        "ended on 2026-11-23 with 3 contributions counted (1 contribution still waiting for the TSC's review), "
        "short of the 4 the program asks for" in thanks
    )
    (report,) = fake_slack.messages_in(REVIEW_CHANNEL)
    assert "*Jane Doe* (<@U0MEMBER>) — 3 of 4 contributions, 1 contribution still waiting" in str(
        report.blocks
    )


def test_with_the_tsc_deciding_it_is_proposed_after_the_grace_saying_what_waits(
    db: Database, fake_slack: FakeSlack
) -> None:
    member_id, _ = ambassador(db, counted=3, waiting=1)
    ctx = job_context(db, fake_slack)

    assert run(ctx, LAST_DAY_OF_GRACE).enqueued == [] and proposals(db) == []
    run(ctx, LAST_DAY_OF_GRACE + timedelta(days=1))

    (proposal,) = proposals(db)
    assert proposal.details["waiting_review"] == 1 and proposal.details["counted"] == 3
    assert standing(db, member_id) == ("active", ["active"])  # the TSC decides
    listing = fake_slack.messages_in(REVIEW_CHANNEL)[-1]
    assert (
        "term ended 2026-11-23 with 3 of 4 contributions (1 contribution still waiting for the TSC's review)"
        in str(listing.blocks)
    )


def test_verify_term_waits_too_then_records_what_still_waited(db: Database) -> None:
    member_id, _ = ambassador(db, counted=3, waiting=1)

    def verify_on(when: datetime) -> verification.TermVerification:
        with db.transaction() as session:
            return verification.verify_term(session, 1, when.date(), when, "scheduler", required=4)

    waiting = verify_on(LAST_DAY_OF_GRACE)
    assert (waiting.outcome, waiting.changed, waiting.waiting_review) == (None, False, 1)
    assert standing(db, member_id) == ("active", ["active"])
    lapsed = verify_on(LAST_DAY_OF_GRACE + timedelta(days=1))
    assert (lapsed.outcome, lapsed.changed, lapsed.waiting_review) == ("lapsed", True, 1)
    with db.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        assert member.status_reason == (
            "Term 2025-11-24 to 2026-11-23 ended with 3 of 4 contributions "
            "(1 more still waiting for the TSC's review)."
        )


@pytest.mark.parametrize(("counted", "waiting"), [(2, 1), (1, 2)])
def test_no_wait_when_what_waits_could_not_meet_the_requirement(
    db: Database, fake_slack: FakeSlack, counted: int, waiting: int
) -> None:
    ambassador(db, counted=counted, waiting=waiting)
    ctx = job_context(db, fake_slack)

    result = run(ctx, DAY_AFTER)

    (proposal,) = proposals(db)
    assert proposal.details["waiting_review"] == waiting
    assert result.notes == ["term 1 (Jane Doe): lapsed, proposed to the TSC"]


def test_a_question_to_the_member_waits_too(db: Database, fake_slack: FakeSlack) -> None:
    member_id, (fourth,) = ambassador(db, counted=3, waiting=1)
    asked = review.decide(
        db,
        fourth,
        ReviewDecision.NEEDS_INFO,
        review.Deciding(TSC, True, DAY_AFTER, review_blocks.REVIEW_MESSAGES),
        note="Which event was it?",
    )
    assert asked.status is review.ReviewStatus.DECIDED

    ctx = job_context(db, fake_slack, **AUTO)
    assert run(ctx, DAY_AFTER).notes[0].endswith("2026-12-23 at the latest")
    assert standing(db, member_id) == ("active", ["active"])
    run(ctx, LAST_DAY_OF_GRACE + timedelta(days=1))
    assert standing(db, member_id) == ("emeritus", ["lapsed"])


def test_the_tsc_s_home_counts_what_waits_for_their_review_only_with_the_review_on(db: Database) -> None:
    ambassador(db, counted=1, waiting=2)
    today, now = DAY_AFTER.date(), DAY_AFTER

    def load(setting: str) -> home.Home:
        return home.load_home(db, TSC, today, now, 4, is_tsc=True, review=setting)

    loaded: list[home.Home] = []
    off = statements_during(db, lambda: loaded.append(load("off")))
    on = statements_during(db, lambda: loaded.append(load("tsc")))
    assert [data.tsc.review_pending for data in loaded if data.tsc] == [None, 2]
    # One statement more with the review on, however many wait.
    assert len(on) == len(off) + 1
    for number in range(5):
        logged = log_contribution(
            db,
            MEMBER,
            ContributionDraft("talk", f"More {number}", f"https://x.org/more-{number}", date(2026, 11, 2)),
            today,
            now,
            4,
            review="tsc",
        )
        assert logged.contribution_id
    more = statements_during(db, lambda: loaded.append(load("tsc")))
    assert len(more) == len(on) and loaded[-1].tsc is not None and loaded[-1].tsc.review_pending == 7
