"""The TSC's review of contributions (`CONTRIBUTION_REVIEW=tsc`) on a real database (SQLite and PostgreSQL):
what waits does not count and what is verified does, the daily list in the review channel (once per
round, chunked), Needs info with its question and the member's answer, Not counted with its reason,
refusals (not the TSC, one's own, what one logged) audited, exactly one decision (also two TSC members
at once on PostgreSQL), and nothing changes with the review off."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.blocks import ids
from bot.blocks import impact as impact_blocks
from bot.blocks import review as review_blocks
from bot.outbox.sender import deliver
from bot.rules.inactivity import Step
from bot.rules.membership import DecisionRefusal
from bot.rules.review import ReviewDecision, ReviewState
from bot.services import contribution_import, home, impact, inactivity, members, review
from bot.services.contributions import ContributionDraft, edit_contribution, log_contribution
from bot.services.jobs import contributions_logged_between
from bot.services.registry import exporting
from bot.services.review import Deciding, ReviewStatus
from bot.store.db import Database
from bot.store.models import AuditEvent, Contribution
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import buttons, dm_texts, job_context, outbox

TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
START = date(2026, 1, 1)
TSC2 = "U0TSC2"


def draft(number: int = 1, **changes: object) -> ContributionDraft:
    values: dict[str, object] = {
        "type": "article",
        "title": f"Event-driven APIs {number}",
        "link": f"https://dev.to/jane/eda-{number}",
        "occurred_on": date(2026, 3, 1),
    }
    values.update(changes)
    return ContributionDraft(**values)  # type: ignore[arg-type]


def log(
    db: Database, number: int = 1, who: str = MEMBER, review_setting: str = "tsc", **changes: object
) -> int:
    logged = log_contribution(db, who, draft(number, **changes), TODAY, NOW, 4, review=review_setting)
    return logged.contribution_id


def how(decider: str = TSC, *, is_tsc: bool = True) -> Deciding:
    return Deciding(decider, is_tsc, NOW, review_blocks.REVIEW_MESSAGES)


def counted(db: Database, who: str = MEMBER) -> int:
    standing = members.standing(db, who, TODAY, 4)
    assert standing is not None and standing.progress is not None
    return standing.progress.counted


def state_of(db: Database, contribution_id: int) -> Contribution:
    with db.transaction() as session:
        found = session.get(Contribution, contribution_id)
        assert found is not None
        session.expunge(found)
        return found


def audit(db: Database, action: str) -> list[AuditEvent]:
    with db.transaction() as session:
        rows = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )
        session.expunge_all()
        return rows


def review_posts(fake: FakeSlack) -> list[object]:
    return [
        message
        for message in fake.messages_in(REVIEW_CHANNEL)
        if message.text.startswith("Contributions to review")
    ]


def test_waiting_does_not_count_and_verified_does(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, START)
    add_contribution(db, 1, date(2026, 2, 1))  # before the review: counts as always
    logged = log_contribution(db, MEMBER, draft(), TODAY, NOW, 4, review="tsc")
    assert logged.waiting_review and not logged.counts_toward_term
    assert logged.standing.progress is not None and logged.standing.progress.counted == 1
    assert counted(db) == 1
    reached = impact.term_impact(db, MEMBER, TODAY)
    assert reached is not None and reached.waiting_review == 1
    seen = home.load_home(db, MEMBER, TODAY, NOW, 4, is_tsc=False)
    assert seen.personal is not None and seen.personal.waiting_review == 1
    listed = {item.id: item for item in seen.personal.contributions}
    assert listed[logged.contribution_id].review_state == ReviewState.PENDING
    assert not listed[logged.contribution_id].counts_toward_term

    outcome = review.decide(db, logged.contribution_id, ReviewDecision.VERIFY, how())

    assert outcome.status is ReviewStatus.DECIDED and outcome.outbox_keys == []  # Verify tells nothing
    assert counted(db) == 2
    (event,) = audit(db, "contribution.reviewed")
    assert event.actor == TSC and event.details["decision"] == "verify"
    seen = home.load_home(db, MEMBER, TODAY, NOW, 4, is_tsc=False)
    assert seen.personal is not None and seen.personal.waiting_review == 0


def test_the_job_lists_each_new_contribution_once_chunked(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, START)
    for number in range(1, 23):
        log(db, number)
    ctx = job_context(db, fake_slack, contribution_review="tsc")

    first = run_job(ctx, "contribution-review", NOW)
    again = run_job(ctx, "contribution-review", NOW + timedelta(days=1))
    deliver(db, ctx.client, NOW, settings=ctx.settings)

    assert first.enqueued == ["contribution-review:1.0", "contribution-review:21.0"]
    assert again.enqueued == [] and again.reasons == ["no contribution waits to be listed"]
    posts = review_posts(fake_slack)
    assert len(posts) == 2
    assert all(len(post.blocks) <= 50 for post in posts)  # type: ignore[attr-defined]
    assert buttons(posts[1].blocks) == {  # type: ignore[attr-defined]
        ids.REVIEW_VERIFY: "22",
        ids.REVIEW_NEEDS_INFO: "22",
        ids.REVIEW_NOT_COUNTED: "22",
    }
    assert state_of(db, 22).review_message_key == "contribution-review:21.0"


def test_needs_info_asks_the_member_and_their_answer_goes_back_to_the_tsc(
    db: Database, fake_slack: FakeSlack
) -> None:
    enrol(db, MEMBER, START)
    contribution_id = log(db)
    ctx = job_context(db, fake_slack, contribution_review="tsc")
    run_job(ctx, "contribution-review", NOW)

    # Without the question nothing is decided: the caller asks for it.
    assert (
        review.decide(db, contribution_id, ReviewDecision.NEEDS_INFO, how()).status is ReviewStatus.NEEDS_NOTE
    )
    outcome = review.decide(db, contribution_id, ReviewDecision.NEEDS_INFO, how(), "Which event was it for?")
    assert outcome.status is ReviewStatus.DECIDED
    assert outcome.outbox_keys == [f"contribution-needs-info:{contribution_id}.0"]
    deliver(db, ctx.client, NOW, settings=ctx.settings)
    (asked,) = dm_texts(fake_slack, MEMBER)
    assert "<@U0TSC> has a question about your Article" in asked and ">Which event was it for?" in asked
    assert counted(db) == 0
    seen = home.load_home(db, MEMBER, TODAY, NOW, 4, is_tsc=False)
    assert (
        seen.personal is not None and seen.personal.contributions[0].review_note == "Which event was it for?"
    )

    # The member answers in the notes: pending again, in a new round, listed again.
    edited = edit_contribution(
        db, MEMBER, contribution_id, draft(notes="AsyncAPI Day"), TODAY, NOW, review="tsc"
    )
    assert edited.back_to_review and edited.review_state == ReviewState.PENDING
    after = state_of(db, contribution_id)
    assert (after.review_state, after.review_round, after.review_message_key) == ("pending", 1, None)
    (edit_event,) = audit(db, "contribution.edited")
    assert edit_event.details["review"] == {"old": "needs_info", "new": "pending"}
    assert run_job(ctx, "contribution-review", NOW + timedelta(days=1)).enqueued == [
        f"contribution-review:{contribution_id}.1"
    ]

    assert review.decide(db, contribution_id, ReviewDecision.VERIFY, how()).status is ReviewStatus.DECIDED
    assert counted(db) == 1


def test_not_counted_tells_the_member_why_and_stays_out(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, START)
    contribution_id = log(db)
    ctx = job_context(db, fake_slack, contribution_review="tsc")

    outcome = review.decide(
        db, contribution_id, ReviewDecision.NOT_COUNTED, how(), "It is not about AsyncAPI."
    )

    assert outcome.status is ReviewStatus.DECIDED and outcome.item is not None
    assert outcome.item.state == ReviewState.NOT_COUNTED and outcome.item.reviewed_by == TSC
    deliver(db, ctx.client, NOW, settings=ctx.settings)
    (told,) = dm_texts(fake_slack, MEMBER)
    assert "thank you for logging your Article" in told and ">It is not about AsyncAPI." in told
    assert counted(db) == 0
    assert [kind.kind for kind in outbox(db, "contribution_not_counted")] == ["contribution_not_counted"]
    # Not in the month's digest, nor on the public list.
    with db.read_only() as session:
        assert contributions_logged_between(session, NOW - timedelta(days=1), NOW + timedelta(days=1)) == []
    (entry,) = exporting.export_members(db)
    assert not entry.get("contributions")
    # A reworded title keeps the decision; another link puts it before the TSC again.
    edit_contribution(db, MEMBER, contribution_id, draft(title="Reworded"), TODAY, NOW, review="tsc")
    assert state_of(db, contribution_id).review_state == "not_counted"
    edit_contribution(
        db, MEMBER, contribution_id, draft(link="https://dev.to/jane/x"), TODAY, NOW, review="tsc"
    )
    assert state_of(db, contribution_id).review_state == "pending"


def test_refusals_are_audited_and_decide_nothing(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, START)
    enrol(db, TSC, START, "Tess Council")
    mine = log(db)
    tsc_own = log(db, 2, who=TSC)
    logged_for = log_contribution(
        db,
        MEMBER,
        draft(3),
        TODAY,
        NOW,
        4,
        logged_by=TSC,
        review="tsc",
        tell_member=impact_blocks.logged_for_you_message,
    ).contribution_id
    (told,) = outbox(db, "contribution_logged_for")
    assert "It counts once another TSC member has verified it." in told.text

    not_tsc = review.decide(db, mine, ReviewDecision.VERIFY, how(OTHER, is_tsc=False))
    own = review.decide(db, tsc_own, ReviewDecision.VERIFY, how())
    logged_by_them = review.decide(db, logged_for, ReviewDecision.NOT_COUNTED, how(), "no")

    assert (not_tsc.status, not_tsc.refusal) == (ReviewStatus.REFUSED, DecisionRefusal.NOT_TSC)
    assert (own.status, own.refusal) == (ReviewStatus.REFUSED, DecisionRefusal.OWN_REQUEST)
    assert (logged_by_them.status, logged_by_them.refusal) == (
        ReviewStatus.REFUSED,
        DecisionRefusal.OWN_REQUEST,
    )
    assert [state_of(db, i).review_state for i in (mine, tsc_own, logged_for)] == ["pending"] * 3
    assert [(event.actor, event.details["reason"]) for event in audit(db, "contribution.review_refused")] == [
        (OTHER, "not_tsc"),
        (TSC, "own_request"),
        (TSC, "own_request"),
    ]
    assert outbox(db, "contribution_not_counted") == []


def test_a_second_decision_is_told_who_decided(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, START)
    contribution_id = log(db)
    assert review.decide(db, contribution_id, ReviewDecision.VERIFY, how()).status is ReviewStatus.DECIDED

    second = review.decide(db, contribution_id, ReviewDecision.NOT_COUNTED, how(TSC2), "Too late")
    no_form = review.decide(db, contribution_id, ReviewDecision.NEEDS_INFO, how(TSC2))

    assert second.status is ReviewStatus.ALREADY and no_form.status is ReviewStatus.ALREADY
    assert second.item is not None and (second.item.state, second.item.reviewed_by) == ("verified", TSC)
    assert len(audit(db, "contribution.reviewed")) == 1 and counted(db) == 1
    assert review.decide(db, 999, ReviewDecision.VERIFY, how()).status is ReviewStatus.NOT_FOUND


@pytest.mark.postgres_only
def test_two_tsc_members_deciding_at_once_make_one_decision(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, START)
    contribution_id = log(db)
    barrier = threading.Barrier(4)
    outcomes: list[ReviewStatus] = []
    errors: list[BaseException] = []

    def decide(decider: str, decision: ReviewDecision, note: str | None) -> None:
        try:
            barrier.wait()
            outcomes.append(review.decide(db, contribution_id, decision, how(decider), note).status)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=decide, args=args)
        for args in (
            (TSC, ReviewDecision.VERIFY, None),
            (TSC2, ReviewDecision.NOT_COUNTED, "Off topic"),
            (TSC, ReviewDecision.NEEDS_INFO, "Which event?"),
            (TSC2, ReviewDecision.VERIFY, None),
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(outcomes) == sorted([ReviewStatus.DECIDED] + [ReviewStatus.ALREADY] * 3)
    (decided,) = audit(db, "contribution.reviewed")
    after = state_of(db, contribution_id)
    assert after.reviewed_by == decided.actor and after.review_state != "pending"
    assert len(outbox(db, "contribution_question")) + len(outbox(db, "contribution_not_counted")) == (
        0 if after.review_state == "verified" else 1
    )


def test_with_the_review_off_nothing_waits(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, START)
    logged = log_contribution(db, MEMBER, draft(), TODAY, NOW, 4)
    assert logged.counts_toward_term and not logged.waiting_review
    assert state_of(db, logged.contribution_id).review_state == "none" and counted(db) == 1
    # An edit never starts a review while it is off.
    edit_contribution(db, MEMBER, logged.contribution_id, draft(link="https://x.org/y"), TODAY, NOW)
    assert state_of(db, logged.contribution_id).review_state == "none"
    result = run_job(job_context(db, fake_slack), "contribution-review", NOW)
    assert result.enqueued == [] and result.reasons == ["the review is off (CONTRIBUTION_REVIEW=off)"]


def test_a_contributions_import_waits_for_the_tsc(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, START, github="janedoe")
    row = {"member": "janedoe", "type": "talk", "title": "T", "link": "https://x.org/t", "date": "2026-03-01"}
    summary = contribution_import.import_contributions(db, [row], today=TODAY, now=NOW, review="tsc")
    assert summary.written and summary.review_state == "pending"
    with db.transaction() as session:
        assert session.scalars(select(Contribution.review_state)).all() == ["pending"]
    assert counted(db) == 0


def test_inactivity_sees_what_waits_as_activity_not_what_was_ruled_out(
    db: Database, fake_slack: FakeSlack
) -> None:
    enrol(db, MEMBER, date(2025, 6, 1))
    enrol(db, OTHER, date(2025, 6, 1), "Olek Other")
    log(db, occurred_on=date(2026, 3, 1))
    ruled_out = log(db, 2, who=OTHER, occurred_on=date(2026, 3, 1))
    review.decide(db, ruled_out, ReviewDecision.NOT_COUNTED, how(), "Not about AsyncAPI.")
    settings = job_context(db, fake_slack, contribution_review="tsc").settings

    with db.read_only() as session:
        steps = inactivity.due_steps(session, TODAY, settings.inactivity_thresholds, settings.zone)

    assert [(step.name, step.step) for step in steps] == [("Olek Other", Step.NUDGE)]


def test_the_pace_reminder_names_what_waits_for_the_tsc(db: Database, fake_slack: FakeSlack) -> None:
    enrol(db, MEMBER, date(2025, 6, 1))
    log(db, occurred_on=date(2026, 3, 1))
    ctx = job_context(db, fake_slack, contribution_review="tsc")

    result = run_job(ctx, "reminders", NOW)

    (reminder,) = [item for item in result.planned if item.key.startswith("reminder:")]
    assert "*0 of 4* contributions so far" in reminder.text
    assert "1 more waiting for the TSC's review (they count once verified)" in reminder.text
