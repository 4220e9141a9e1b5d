"""The yearly verification proposes, the TSC decides (`VERIFICATION_DECIDES=tsc`, the default), on a real
database (SQLite and PostgreSQL): the would-lapse list with its buttons, members kept until a decision,
each proposal decided exactly once (two TSC members at once included), never about oneself."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.blocks import ids
from bot.blocks.emeritus import FAREWELL_MESSAGES
from bot.blocks.proposals import PROPOSAL_MESSAGES
from bot.outbox.sender import deliver
from bot.rules.emeritus import ProposalDecision
from bot.services.membership import emeritus, proposals, terms
from bot.services.membership.farewell import Farewell
from bot.services.membership.proposals import Deciding, DecisionStatus
from bot.store.db import Database
from bot.store.models import AuditEvent, EmeritusProposal, Member, Term
from jobs.runner import JobContext
from jobs.scheduler import run_job
from tests.conftest import MEMBER, OTHER, REVIEW_CHANNEL, TSC
from tests.fakes.slack import FakeSlack
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import at, buttons, dm_texts, job_context, outbox

NOW = at("2026-11-24T10:00:00+00:00")
TODAY = NOW.date()
ENDED_YESTERDAY = date(2026, 11, 23)
TSC2 = "U0TSC2"


def ambassador(db: Database, slack_user_id: str, contributions: int, name: str, **profile: str) -> int:
    start = date(2025, 11, 24)
    member_id = enrol(db, slack_user_id, start, name, **profile)
    for number in range(contributions):
        add_contribution(db, member_id, start + timedelta(days=10 + number), title=f"Talk {number}")
    return member_id


def two_would_lapse(db: Database, fake: FakeSlack) -> tuple[int, int]:
    lapsing = ambassador(db, MEMBER, 1, "Jane Doe")
    fake.add_user("U0MET", "Mel Met", tz="UTC")
    other = ambassador(db, OTHER, 0, "Olek Other", github="olek")
    return lapsing, other


def status_of(db: Database, member_id: int) -> str:
    with db.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        return member.status


def how(decider: str = TSC, *, is_tsc: bool = True, today: date = TODAY) -> Deciding:
    return Deciding(
        decider,
        is_tsc,
        today,
        datetime(today.year, today.month, today.day, 11, tzinfo=UTC),
        4,
        Farewell(FAREWELL_MESSAGES, REVIEW_CHANNEL),
        PROPOSAL_MESSAGES,
    )


def run(ctx: JobContext, when: datetime) -> list[str]:
    result = run_job(ctx, "renewals", when)
    deliver(ctx.db, ctx.client, when, settings=ctx.settings)
    return sorted(result.enqueued)


def test_the_would_lapse_list_goes_to_the_tsc_and_the_members_stay(
    db: Database, fake_slack: FakeSlack
) -> None:
    lapsing, other = two_would_lapse(db, fake_slack)
    ctx = job_context(db, fake_slack)

    enqueued = run(ctx, NOW)

    assert [key.split(":")[0] for key in enqueued] == ["proposals", "verification-report"]
    assert status_of(db, lapsing) == status_of(db, other) == "active"
    assert dm_texts(fake_slack, MEMBER) == []  # nobody is told anything before the TSC decides
    report, listing = fake_slack.messages_in(REVIEW_CHANNEL)
    assert report.text.startswith(
        "Term verification, 2026-11-24: 0 renewed, 0 pending renewal, 0 lapsed (now emeritus), 2 for the TSC"
    )
    assert listing.text.startswith("Term verification, 2026-11-24: would lapse, the TSC decides: 2 proposed")
    assert [buttons([block]) for block in listing.blocks if block["type"] == "actions"] == [
        {ids.PROPOSAL_EMERITUS: "1", ids.PROPOSAL_MORE_DAYS: "1"},
        {ids.PROPOSAL_EMERITUS: "2", ids.PROPOSAL_MORE_DAYS: "2"},
        {ids.PROPOSAL_CONFIRM_ALL: "proposals:verification:2026-11-24:1"},
    ]
    # Days later: nothing new while the TSC decides, and no reminders for an ended term.
    assert run(ctx, NOW + timedelta(days=1)) == run(ctx, NOW + timedelta(days=40)) == []
    assert run_job(ctx, "reminders", NOW + timedelta(days=40)).planned == []


def test_move_to_emeritus_decides_once_with_the_thank_you(db: Database, fake_slack: FakeSlack) -> None:
    lapsing, _ = two_would_lapse(db, fake_slack)
    run(job_context(db, fake_slack), NOW)

    first = proposals.decide(db, 1, ProposalDecision.EMERITUS, how())
    second = proposals.decide(db, 1, ProposalDecision.MORE_DAYS, how())

    assert first.status is DecisionStatus.DECIDED and first.outbox_keys == ["emeritus:member:1:term:1"]
    assert first.location is not None and first.location[0] == REVIEW_CHANNEL  # the list, to redraw
    assert [(item.id, item.status) for item in first.listed] == [(1, "emeritus"), (2, "open")]
    assert second.status is DecisionStatus.ALREADY and second.proposal is not None
    assert second.proposal.decided_by == TSC
    assert status_of(db, lapsing) == "emeritus"
    with db.transaction() as session:
        assert session.scalars(select(Term.status).where(Term.member_id == lapsing)).one() == "lapsed"
        member = session.get(Member, lapsing)
        assert member is not None and member.emeritus_reason == "term_ended"
        decided = session.scalars(select(AuditEvent).where(AuditEvent.action == "proposal.decided")).all()
        assert [(e.actor, e.details["decision"]) for e in decided] == [(TSC, "emeritus")]
    (thanks,) = outbox(db, "verification")
    assert "ended on 2026-11-23 with 1 contribution, short of the 4 the program asks for" in thanks.text


def test_give_30_more_days_then_the_verification_looks_again(db: Database, fake_slack: FakeSlack) -> None:
    lapsing, _ = two_would_lapse(db, fake_slack)
    ctx = job_context(db, fake_slack)
    run(ctx, NOW)
    # A talk logged ahead, inside the 30 days: it counts from its day, not in the message today.
    add_contribution(db, lapsing, date(2026, 12, 10), type_="talk", title="Upcoming talk")

    outcome = proposals.decide(db, 1, ProposalDecision.MORE_DAYS, how(today=date(2026, 11, 26)))

    assert outcome.status is DecisionStatus.DECIDED and outcome.term_end == date(2026, 12, 26)
    (told,) = outbox(db, "more_days")
    assert told.channel == MEMBER and "term now ends on *2026-12-26*" in told.text and "*3 more*" in told.text
    assert status_of(db, lapsing) == "active"
    assert run(ctx, at("2026-12-26T10:00:00+00:00")) == []  # the last day is still theirs
    again = run(ctx, at("2026-12-27T10:00:00+00:00"))
    assert [key.split(":")[0] for key in again] == ["proposals", "verification-report"]
    with db.transaction() as session:
        keys = session.scalars(select(EmeritusProposal.key).order_by(EmeritusProposal.id)).all()
    assert keys == [
        "verification:term1:2026-11-23",
        "verification:term2:2026-11-23",
        "verification:term1:2026-12-26",
    ]


def test_never_about_oneself_and_only_the_tsc(db: Database, fake_slack: FakeSlack) -> None:
    lapsing = ambassador(db, TSC, 1, "Tess Council")
    run(job_context(db, fake_slack), NOW)

    own = proposals.decide(db, 1, ProposalDecision.EMERITUS, how(TSC))
    stranger = proposals.decide(db, 1, ProposalDecision.EMERITUS, how(OTHER, is_tsc=False))
    not_offered = proposals.decide(db, 1, ProposalDecision.KEEP, how(TSC2))

    assert (own.status, own.refusal and str(own.refusal)) == (DecisionStatus.REFUSED, "own_request")
    assert (stranger.status, stranger.refusal and str(stranger.refusal)) == (
        DecisionStatus.REFUSED,
        "not_tsc",
    )
    assert not_offered.status is DecisionStatus.NOT_OFFERED
    assert status_of(db, lapsing) == "active"
    with db.transaction() as session:
        refused = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "proposal.decision_refused")
        ).all()
        assert refused == [TSC, OTHER]
        assert session.scalars(select(EmeritusProposal.status)).one() == "open"
    assert proposals.decide(db, 1, ProposalDecision.EMERITUS, how(TSC2)).status is DecisionStatus.DECIDED


def test_confirm_all_leaves_one_s_own_for_another(db: Database, fake_slack: FakeSlack) -> None:
    jane, olek = two_would_lapse(db, fake_slack)
    tess = ambassador(db, TSC, 0, "Tess Council", github="tess")
    run(job_context(db, fake_slack), NOW)
    proposals.decide(db, 2, ProposalDecision.MORE_DAYS, how(TSC2))

    outcome = proposals.confirm_all(db, "proposals:verification:2026-11-24:1", how(TSC))

    assert outcome.refusal is None
    assert [item.name for item in outcome.decided] == ["Jane Doe"]
    assert [item.name for item in outcome.own] == ["Tess Council"]
    assert [(item.name, item.status) for item in outcome.listed] == [
        ("Jane Doe", "emeritus"),
        ("Olek Other", "more_days"),
        ("Tess Council", "open"),
    ]
    assert (status_of(db, jane), status_of(db, olek), status_of(db, tess)) == ("emeritus", "active", "active")
    refused = proposals.confirm_all(db, "proposals:verification:2026-11-24:1", how(OTHER, is_tsc=False))
    assert refused.refusal is not None and status_of(db, tess) == "active"


def test_a_term_the_tsc_extended_meanwhile_is_no_longer_to_decide(
    db: Database, fake_slack: FakeSlack
) -> None:
    lapsing = ambassador(db, MEMBER, 1, "Jane Doe")
    run(job_context(db, fake_slack), NOW)
    with db.transaction() as session:
        term_id = session.scalars(select(Term.id)).one()
        terms.extend(session, term_id, 60, now=NOW, actor=TSC)  # `admin extend` instead of a decision

    outcome = proposals.decide(db, 1, ProposalDecision.EMERITUS, how(TSC2))

    assert outcome.status is DecisionStatus.WITHDRAWN
    assert outcome.proposal is not None and outcome.proposal.status == "withdrawn"
    assert status_of(db, lapsing) == "active"


def test_a_member_moved_by_other_means_is_no_longer_to_decide(db: Database, fake_slack: FakeSlack) -> None:
    lapsing = ambassador(db, MEMBER, 1, "Jane Doe")
    run(job_context(db, fake_slack), NOW)
    with db.transaction() as session:
        emeritus.move_to_emeritus(session, lapsing, "Asked to leave", now=NOW, actor=TSC)

    outcome = proposals.decide(db, 1, ProposalDecision.MORE_DAYS, how(TSC2))

    assert outcome.status is DecisionStatus.ALREADY  # withdrawn when they left
    assert outcome.proposal is not None and outcome.proposal.status == "withdrawn"


def test_auto_keeps_deciding_at_once(db: Database, fake_slack: FakeSlack) -> None:
    lapsing, _ = two_would_lapse(db, fake_slack)
    enqueued = run(job_context(db, fake_slack, verification_decides="auto"), NOW)
    assert "emeritus:member:1:term:1" in enqueued and not [k for k in enqueued if k.startswith("proposals:")]
    assert status_of(db, lapsing) == "emeritus"


@pytest.mark.postgres_only
def test_two_tsc_members_deciding_at_once_make_one_decision(db: Database, fake_slack: FakeSlack) -> None:
    lapsing, _ = two_would_lapse(db, fake_slack)
    run(job_context(db, fake_slack), NOW)
    barrier = threading.Barrier(4)
    outcomes: list[DecisionStatus] = []
    errors: list[BaseException] = []

    def decide(decider: str, decision: ProposalDecision) -> None:
        try:
            barrier.wait()
            outcomes.append(proposals.decide(db, 1, decision, how(decider)).status)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=decide, args=args)
        for args in (
            (TSC, ProposalDecision.EMERITUS),
            (TSC2, ProposalDecision.MORE_DAYS),
            (TSC, ProposalDecision.MORE_DAYS),
            (TSC2, ProposalDecision.EMERITUS),
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(outcomes) == sorted([DecisionStatus.DECIDED] + [DecisionStatus.ALREADY] * 3)
    with db.transaction() as session:
        decided = session.scalars(select(AuditEvent).where(AuditEvent.action == "proposal.decided")).all()
        assert len(decided) == 1
        proposal = session.get(EmeritusProposal, 1)
        assert proposal is not None and proposal.decided_by in (TSC, TSC2)
        emeritus = proposal.status == "emeritus"
    assert status_of(db, lapsing) == ("emeritus" if emeritus else "active")
    assert len(outbox(db, "verification")) + len(outbox(db, "more_days")) == 1
