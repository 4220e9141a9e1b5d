"""Becoming emeritus on a real database (SQLite and PostgreSQL), through the one way out
(`emeritus.become_emeritus`): the reason kept, benefit requests settled, a pause ended, proposals withdrawn,
the access change queued and the thank-you sent once; stepping down; coming back with one's history."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.blocks.emeritus import FAREWELL_MESSAGES
from bot.blocks.membership.messages import MEMBERSHIP_MESSAGES
from bot.blocks.pauses import PAUSE_MESSAGES
from bot.rules.emeritus import EmeritusReason, ProposalCause
from bot.services import pauses
from bot.services.benefits.catalogue import ensure_catalogue
from bot.services.membership import applications, emeritus, leaving, proposals
from bot.services.membership.applications import ApplicationForm, validate_application
from bot.services.membership.farewell import Farewell
from bot.services.membership.leaving import StepDownStatus
from bot.store.db import Database
from bot.store.models import (
    AccessRequest,
    AuditEvent,
    Benefit,
    BenefitRequest,
    EmeritusProposal,
    Member,
    Pause,
    Term,
)
from tests.conftest import MEMBER, REVIEW_CHANNEL, TSC
from tests.helpers.factories import add_contribution, enrol
from tests.helpers.jobs import outbox

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
TODAY = NOW.date()
START = date(2025, 11, 24)
FAREWELL = Farewell(FAREWELL_MESSAGES, REVIEW_CHANNEL)


def with_requests(db: Database, member_id: int) -> tuple[int, int]:
    """A pending request with a shipping address, and an approved one not shipped yet."""
    ensure_catalogue(db, NOW)
    with db.transaction() as session:
        swag = session.scalars(select(Benefit).where(Benefit.key == "swag-pack")).one()
        ticket = session.scalars(select(Benefit).where(Benefit.key == "conference-ticket")).one()
        pending = BenefitRequest(
            member_id=member_id,
            benefit_id=swag.id,
            status="pending",
            shipping_name="Jane Doe",
            shipping_address="1 Main St",
            shipping_country="Spain",
            requested_at=NOW,
        )
        approved = BenefitRequest(
            member_id=member_id,
            benefit_id=ticket.id,
            status="approved",
            event_name="AsyncAPI Conf",
            requested_at=NOW,
            decided_by=TSC,
            decided_at=NOW,
        )
        session.add_all([pending, approved])
        session.flush()
        return pending.id, approved.id


def test_stepping_down_settles_everything_once(db: Database) -> None:
    member_id = enrol(db, MEMBER, START)
    pending_id, approved_id = with_requests(db, member_id)
    pauses.pause_member(
        db,
        MEMBER,
        date(2026, 4, 1),
        None,
        today=TODAY,
        now=NOW,
        actor=MEMBER,
        policy=pauses.PausePolicy(),
        messages=PAUSE_MESSAGES,
    )
    with db.transaction() as session:
        proposals.propose(
            session,
            [
                proposals.NewProposal(
                    "inactivity:member1:2026-01-01", member_id, None, ProposalCause.INACTIVITY, {}
                )
            ],
            NOW,
        )

    result = leaving.step_down(
        db, MEMBER, "Moving to another project", today=TODAY, now=NOW, farewell=FAREWELL
    )

    assert result.status is StepDownStatus.STEPPED_DOWN and result.change is not None
    assert result.change.outbox_keys == (
        "emeritus:member:1:term:1",
        "emeritus-benefits:member:1:term:1",
    )
    with db.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        assert (member.status, member.emeritus_reason, member.status_reason, member.status_changed_at) == (
            "emeritus",
            "stepped_down",
            "Moving to another project",
            NOW,
        )
        assert session.scalars(select(Term.status)).one() == "ended"
        pending = session.get(BenefitRequest, pending_id)
        approved = session.get(BenefitRequest, approved_id)
        assert pending is not None and approved is not None
        assert (pending.status, pending.shipping_address, pending.cancelled_at) == ("cancelled", None, NOW)
        assert approved.status == "approved"  # the TSC decides whether to send it anyway
        assert session.scalars(select(Pause.closed_on)).one() == TODAY
        assert session.scalars(select(EmeritusProposal.status)).one() == "withdrawn"
        assert session.scalars(select(AccessRequest.member_id)).all()[-1] == member_id
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-3:] == ["benefit.cancelled", "benefit.shipping_erased", "member.stepped_down"]
    (thanks,) = outbox(db, "emeritus")
    assert thanks.channel == MEMBER and "you stepped down and are now an *emeritus* ambassador" in thanks.text
    assert "were cancelled: Ambassador swag pack." in thanks.text
    (tsc_note,) = outbox(db, "emeritus_benefits")
    assert (
        tsc_note.channel == REVIEW_CHANNEL
        and f"#{approved_id} Conference ticket (AsyncAPI Conf)" in tsc_note.text
    )

    again = leaving.step_down(db, MEMBER, None, today=TODAY, now=NOW, farewell=FAREWELL)
    assert again.status is StepDownStatus.ALREADY_EMERITUS
    assert len(outbox(db, "emeritus")) == 1
    assert leaving.step_down(db, "U0NOBODY", None, today=TODAY, now=NOW, farewell=FAREWELL).status is (
        StepDownStatus.NOT_AMBASSADOR
    )


def test_the_tsc_s_move_keeps_its_reason_word(db: Database) -> None:
    member_id = enrol(db, MEMBER, START)
    with db.transaction() as session:
        change = emeritus.move_to_emeritus(
            session,
            member_id,
            "Core team",
            now=NOW,
            actor=TSC,
            reason=EmeritusReason.JOINED_STAFF,
            today=TODAY,
            farewell=FAREWELL,
        )
    assert change.changed and change.outbox_keys == ("emeritus:member:1:term:1",)
    with db.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None and (member.emeritus_reason, member.status_reason) == (
            "joined_staff",
            "Core team",
        )
    assert "now that you work for the project" in outbox(db, "emeritus")[0].text
    assert outbox(db, "emeritus_benefits") == []  # nothing approved was waiting


def test_coming_back_the_form_is_filled_in_and_the_tsc_sees_the_history(db: Database) -> None:
    member_id = enrol(db, MEMBER, START, title="DevRel", github="janedoe", bio="Jane speaks.")
    add_contribution(db, member_id, date(2026, 2, 1), type_="talk", title="Old talk")
    with db.transaction() as session:
        session.add(
            Term(
                member_id=member_id,
                start_on=date(2024, 11, 24),
                end_on=date(2025, 11, 23),
                status="completed",
            )
        )
    leaving.step_down(db, MEMBER, "A busy year", today=TODAY, now=NOW, farewell=FAREWELL)

    start = applications.start_application(db, MEMBER, TODAY)

    assert start.blocked is None and start.history is not None
    assert (start.prefill.title, start.prefill.github, start.prefill.bio) == (
        "DevRel",
        "janedoe",
        "Jane speaks.",
    )
    assert "talk https://example.com/1/2026-02-01/Old-talk 2026-02-01 Old talk" in (
        start.prefill.contributions or ""
    )
    assert [(t.start, t.status) for t in start.history.terms] == [
        (date(2024, 11, 24), "completed"),
        (date(2025, 11, 24), "ended"),
    ]
    assert (start.history.emeritus_reason, start.history.note) == ("stepped_down", "A busy year")

    form = ApplicationForm(**{**start.prefill.__dict__, "name": "Jane Doe", "motivation": "I am back."})
    draft, issues = validate_application(form, TODAY)
    assert draft is not None, issues
    submitted = applications.submit_application(
        db,
        MEMBER,
        draft,
        now=NOW,
        today=TODAY,
        required=4,
        review_channel=REVIEW_CHANNEL,
        messages=MEMBERSHIP_MESSAGES,
    )
    assert submitted.application.history is not None
    (review,) = outbox(db, "review")
    assert (
        review.text == "Ambassador application from Jane Doe (returning ambassador): below the requirement."
    )
    assert "*Returning ambassador* — 2 earlier terms" in str(review.blocks)
    assert "Emeritus since 2026-03-15 · stepped down: A busy year" in str(review.blocks)
