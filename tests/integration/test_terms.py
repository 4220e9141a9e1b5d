"""bot.services.terms on a real database (SQLite and PostgreSQL): each change, its audit, idempotence."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.outbox.queue import enqueue
from bot.rules import membership as membership_rules
from bot.services.membership import emeritus, terms, verification
from bot.services.membership.terms import RenewalStatus
from bot.store.db import Database
from bot.store.models import AuditEvent, Member, MemberStatus, OutboxMessage, OutboxStatus, Term, TermStatus
from tests.helpers.factories import add_contribution, add_member, enrol

NOW = datetime(2026, 1, 11, 9, 0, tzinfo=UTC)
START = date(2025, 1, 11)  # the term runs to 2026-01-10


def active_member(db: Database, contributions: int = 4, requested: bool = False) -> tuple[int, int]:
    member_id = enrol(db, "U0MEMBER", START)
    for month in range(contributions):
        add_contribution(db, member_id, date(2025, 2 + month, 1))
    with db.transaction() as session:
        term = session.scalars(select(Term).where(Term.member_id == member_id)).one()
        if requested:
            term.renewal_requested_at = NOW
        return member_id, term.id


def member_terms(db: Database, member_id: int) -> list[tuple[date, date, str]]:
    with db.transaction() as session:
        rows = session.scalars(select(Term).where(Term.member_id == member_id).order_by(Term.start_on))
        return [(t.start_on, t.end_on, t.status) for t in rows]


def member_row(db: Database, member_id: int) -> tuple[str, str | None]:
    with db.transaction() as session:
        member = session.get(Member, member_id)
        assert member is not None
        return member.status, member.status_reason


def actions(db: Database) -> list[str]:
    with db.transaction() as session:
        return [event.action for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def verify(db: Database, term_id: int, today: date) -> verification.TermVerification:
    with db.transaction() as session:
        return verification.verify_term(session, term_id, today, NOW, "scheduler", required=4)


def test_verification_renews_a_member_who_met_and_asked(db: Database) -> None:
    member_id, term_id = active_member(db, requested=True)

    assert verify(db, term_id, date(2026, 1, 10)).outcome is None  # the last day is still theirs
    done = verify(db, term_id, date(2026, 1, 11))

    assert done.outcome is membership_rules.Verification.RENEWED and done.changed
    assert done.next_term is not None and (done.next_term.start, done.next_term.end) == (
        date(2026, 1, 11),
        date(2027, 1, 10),
    )
    assert member_terms(db, member_id) == [
        (date(2025, 1, 11), date(2026, 1, 10), TermStatus.COMPLETED),
        (date(2026, 1, 11), date(2027, 1, 10), TermStatus.ACTIVE),
    ]
    assert member_row(db, member_id)[0] == MemberStatus.ACTIVE
    again = verify(db, term_id, date(2026, 1, 12))
    assert (again.outcome, again.changed, again.next_term) == (
        membership_rules.Verification.RENEWED,
        False,
        done.next_term,
    )
    assert len(member_terms(db, member_id)) == 2
    assert actions(db) == ["term.verified", "term.renewed"]


def test_verification_makes_a_member_below_the_requirement_emeritus(db: Database) -> None:
    member_id, term_id = active_member(db, contributions=2, requested=True)

    done = verify(db, term_id, date(2026, 1, 11))

    assert (done.outcome, done.changed, done.progress.counted) == (
        membership_rules.Verification.LAPSED,
        True,
        2,
    )
    status, reason = member_row(db, member_id)
    assert status == MemberStatus.EMERITUS
    assert reason == "Term 2025-01-11 to 2026-01-10 ended with 2 of 4 contributions."
    assert member_terms(db, member_id) == [(date(2025, 1, 11), date(2026, 1, 10), TermStatus.LAPSED)]
    assert verify(db, term_id, date(2026, 1, 12)).changed is False
    assert actions(db) == ["term.verified"]


def test_met_but_not_requested_waits_through_the_grace_period_then_leaves(db: Database) -> None:
    member_id, term_id = active_member(db)

    waiting = verify(db, term_id, date(2026, 1, 11))
    assert (waiting.outcome, waiting.changed) == (membership_rules.Verification.MET, False)
    assert member_terms(db, member_id)[0][2] == TermStatus.ACTIVE
    assert verify(db, term_id, date(2026, 2, 9)).outcome is membership_rules.Verification.MET

    done = verify(db, term_id, date(2026, 2, 10))
    assert (done.outcome, done.changed) == (membership_rules.Verification.NOT_RENEWED, True)
    assert member_row(db, member_id)[0] == MemberStatus.EMERITUS
    assert member_terms(db, member_id)[0][2] == TermStatus.COMPLETED
    assert verify(db, term_id, date(2026, 2, 11)).outcome is membership_rules.Verification.NOT_RENEWED


def test_renewal_request_in_the_window_is_recorded_once(db: Database) -> None:
    member_id, term_id = active_member(db)

    def ask(today: date) -> terms.RenewalRequest:
        with db.transaction() as session:
            return terms.request_renewal(session, term_id, today=today, now=NOW, actor="U0MEMBER", required=4)

    early = ask(date(2025, 12, 10))
    assert (early.status, early.refusal) == (RenewalStatus.REFUSED, membership_rules.RenewalRefusal.TOO_EARLY)
    asked = ask(date(2025, 12, 11))
    assert asked.status is RenewalStatus.REQUESTED and asked.changed
    assert asked.next_term == membership_rules.Term(date(2026, 1, 11), date(2027, 1, 10))
    assert ask(date(2025, 12, 12)).status is RenewalStatus.ALREADY_REQUESTED
    assert member_terms(db, member_id) == [(date(2025, 1, 11), date(2026, 1, 10), TermStatus.ACTIVE)]
    assert actions(db) == ["term.renewal_requested"]
    assert verify(db, term_id, date(2026, 1, 11)).outcome is membership_rules.Verification.RENEWED


def test_renewal_during_the_grace_period_renews_at_once(db: Database) -> None:
    member_id, term_id = active_member(db)
    with db.transaction() as session:
        done = terms.request_renewal(
            session, term_id, today=date(2026, 1, 20), now=NOW, actor="U0MEMBER", required=4
        )
    assert done.status is RenewalStatus.RENEWED and done.next_term_id is not None
    # The next term starts the day after the old one ended, not on the day of the request.
    assert member_terms(db, member_id)[1] == (date(2026, 1, 11), date(2027, 1, 10), TermStatus.ACTIVE)
    with db.transaction() as session:
        again = terms.request_renewal(
            session, term_id, today=date(2026, 1, 20), now=NOW, actor="U0MEMBER", required=4
        )
    assert again.status is RenewalStatus.NOT_CURRENT


def test_renewal_refused_without_the_requirement(db: Database) -> None:
    _, term_id = active_member(db, contributions=3)
    with db.transaction() as session:
        refused = terms.request_renewal(
            session, term_id, today=date(2026, 1, 1), now=NOW, actor="U0MEMBER", required=4
        )
    assert (refused.status, refused.refusal) == (
        RenewalStatus.REFUSED,
        membership_rules.RenewalRefusal.NOT_MET,
    )
    assert refused.progress is not None and refused.progress.remaining == 1
    assert actions(db) == []


def test_extend_is_relative_to_the_normal_end_and_idempotent(db: Database) -> None:
    member_id, term_id = active_member(db, contributions=1)
    with db.transaction() as session:
        first = terms.extend(session, term_id, 30, now=NOW, actor="U0TSC")
    assert first.changed and first.term is not None and first.term.end == date(2026, 2, 9)
    assert first.previous_end == date(2026, 1, 10)
    with db.transaction() as session:
        again = terms.extend(session, term_id, 30, now=NOW, actor="U0TSC")
    assert not again.changed and again.term is not None and again.term.end == date(2026, 2, 9)
    with pytest.raises(ValueError), db.transaction() as session:
        terms.extend(session, term_id, 400, now=NOW, actor="U0TSC")
    # The extension moves the verification too.
    assert verify(db, term_id, date(2026, 1, 11)).outcome is None
    assert actions(db) == ["term.extended"]
    with db.transaction() as session:
        audit = session.scalars(select(AuditEvent)).one()
        assert audit.actor == "U0TSC" and audit.member_id == member_id
        assert audit.details == {
            "term_id": term_id,
            "days": 30,
            "previous_end": "2026-01-10",
            "end": "2026-02-09",
        }


def test_emeritus_closes_the_term_cancels_pending_notices_and_reinstate_starts_a_new_term(
    db: Database,
) -> None:
    member_id, _term_id = active_member(db, contributions=1)
    with db.transaction() as session:
        enqueue(
            session,
            now=NOW,
            key="reminder:x",
            kind="reminder",
            channel="U0MEMBER",
            text="hi",
            member_id=member_id,
        )
        enqueue(
            session,
            now=NOW,
            key="welcome:x",
            kind="welcome",
            channel="U0MEMBER",
            text="hi",
            member_id=member_id,
        )
        moved = emeritus.move_to_emeritus(session, member_id, "Stepped down", now=NOW, actor="U0TSC")
    assert moved.changed and moved.term is None and moved.closed_term is not None
    assert member_row(db, member_id) == (MemberStatus.EMERITUS, "Stepped down")
    assert member_terms(db, member_id) == [(date(2025, 1, 11), date(2026, 1, 10), TermStatus.ENDED)]
    with db.transaction() as session:
        statuses = dict(session.execute(select(OutboxMessage.key, OutboxMessage.status)).all())
        assert statuses == {"reminder:x": OutboxStatus.CANCELLED, "welcome:x": OutboxStatus.PENDING}
        assert not emeritus.move_to_emeritus(session, member_id, "again", now=NOW, actor="U0TSC").changed

    with db.transaction() as session:
        back = terms.reinstate(session, member_id, today=date(2026, 3, 1), now=NOW, actor="U0TSC")
    assert back.changed and back.term is not None
    assert (back.term.start, back.term.end) == (date(2026, 3, 1), date(2027, 2, 28))
    assert member_row(db, member_id) == (MemberStatus.ACTIVE, None)
    with db.transaction() as session:
        again = terms.reinstate(session, member_id, today=date(2026, 3, 2), now=NOW, actor="U0TSC")
    assert not again.changed and again.term == back.term
    assert actions(db) == ["member.emeritus", "member.reinstated"]


def test_enrol_a_candidate(db: Database) -> None:
    member_id = add_member(db, "U0OTHER", "Olek Other")
    with db.transaction() as session:
        done = terms.enrol(session, member_id, today=date(2026, 1, 11), now=NOW, actor="U0TSC")
        again = terms.enrol(session, member_id, today=date(2026, 1, 12), now=NOW, actor="U0TSC")
    assert done.changed and not again.changed and again.term == done.term
    assert member_row(db, member_id)[0] == MemberStatus.ACTIVE
    assert actions(db) == ["member.enrolled"]


@pytest.mark.postgres_only
def test_concurrent_verifications_renew_once(db: Database) -> None:
    member_id, term_id = active_member(db, requested=True)
    barrier = threading.Barrier(4)
    results: list[verification.TermVerification] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(verify(db, term_id, date(2026, 1, 11)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(result.changed for result in results) == [False, False, False, True]
    assert {result.outcome for result in results} == {membership_rules.Verification.RENEWED}
    assert len(member_terms(db, member_id)) == 2
