"""Pausing a membership (`/ambassador pause until DATE`, the Home's Pause button, `admin pause`) and coming
back early (`/ambassador resume`); the pauses the jobs and the Home need to know about.

The rules (how long, what a pause does to the term, when the return is announced) are
`bot.rules.pauses`'s. One open pause per member at most (a partial unique index): a second request
while paused changes the return date of the running pause. With PAUSE_EXTENDS_TERM the current
term's end moves by the pause's length (and back, when the member returns early); `Term.paused_days`
keeps the total, so a TSC extension set later does not undo it. Every change is audited, and a
member paused or resumed by a TSC member is told, through the outbox in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bot.outbox.queue import enqueue_message
from bot.rules import pauses as pause_rules
from bot.services.members import pause_running, record_audit
from bot.services.membership.common import with_one_retry
from bot.settings import Settings
from bot.store.constants import ACTIVE_TERM
from bot.store.db import Database
from bot.store.models import Member, MemberStatus, Pause, Term

Payload = dict[str, Any]
PAUSED_BY_TSC_KIND = "pause"
RETURN_KIND = "pause_return"


@dataclass(frozen=True)
class PausePolicy:
    max_days: int = pause_rules.PAUSE_MAX_DAYS
    extends_term: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> PausePolicy:
        return cls(settings.pause_max_days, settings.pause_extends_term)


@dataclass(frozen=True)
class PauseView:
    id: int
    member_id: int
    slack_user_id: str | None
    name: str
    start: date
    until: date  # the return date, the first day back
    reason: str | None
    paused_by: str
    term_days: int  # how far the term's end moved
    term_end: date | None  # the current term's end, after the change
    closed_on: date | None

    @property
    def rule_pause(self) -> pause_rules.Pause:
        return pause_rules.Pause(self.start, self.until)


class Messages(Protocol):
    """How pause messages read; implemented by bot.blocks.pauses (`PAUSE_MESSAGES`)."""

    def paused_by_tsc(self, pause: PauseView) -> Payload: ...

    def resumed_by_tsc(self, pause: PauseView) -> Payload: ...


class PauseStatus(StrEnum):
    PAUSED = "paused"  # a new pause
    CHANGED = "changed"  # the running pause has a new return date (or reason)
    UNCHANGED = "unchanged"  # asked again with the same return date
    REFUSED = "refused"  # see `refusal`
    NOT_AMBASSADOR = "not_ambassador"  # only a current ambassador's membership can be paused


@dataclass(frozen=True)
class PauseResult:
    status: PauseStatus
    pause: PauseView | None = None
    refusal: pause_rules.PauseRefusal | None = None
    previous_until: date | None = None  # CHANGED: the return date before
    latest_return: date | None = None  # REFUSED (too long): the furthest date allowed
    outbox_keys: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.status in (PauseStatus.PAUSED, PauseStatus.CHANGED)


class ResumeStatus(StrEnum):
    RESUMED = "resumed"
    NOT_PAUSED = "not_paused"
    NOT_AMBASSADOR = "not_ambassador"


@dataclass(frozen=True)
class ResumeResult:
    status: ResumeStatus
    pause: PauseView | None = None
    outbox_keys: list[str] = field(default_factory=list)


# --- reading ---------------------------------------------------------------------------------------


def pause_view(pause: Pause, member: Member, term_end: date | None) -> PauseView:
    return PauseView(
        pause.id,
        member.id,
        member.slack_user_id,
        member.name,
        pause.start_on,
        pause.until_on,
        pause.reason,
        pause.paused_by,
        pause.term_days,
        term_end,
        pause.closed_on,
    )


def open_pause(session: Session, member_id: int) -> Pause | None:
    return session.scalar(select(Pause).where(Pause.member_id == member_id, Pause.closed_on.is_(None)))


def paused_until(session: Session, today: date) -> dict[int, date]:
    """Every member paused today, with their return date (one query)."""
    return {
        member_id: until
        for member_id, until in session.execute(
            select(Pause.member_id, Pause.until_on).where(pause_running(today))
        )
    }


# --- pausing and coming back -----------------------------------------------------------------------


def _active_term(session: Session, member_id: int) -> Term | None:
    return session.scalar(select(Term).where(Term.member_id == member_id, ACTIVE_TERM).with_for_update())


def _move_term(term: Term | None, pause: Pause, days: int) -> None:
    """Move the term's end by the change in the pause's days, when the pause belongs to that term."""
    delta = days - pause.term_days
    pause.term_days = days
    if term is not None and pause.term_id == term.id and delta:
        term.end_on += timedelta(days=delta)
        term.paused_days += delta


def _close_finished(session: Session, pause: Pause | None, today: date) -> Pause | None:
    """A pause whose return date has come is over: close it, so the member may pause again."""
    if pause is not None and pause.until_on <= today:
        pause.closed_on = pause.until_on
        pause.closed_by = "scheduler"
        session.flush()
        return None
    return pause


def pause_member(
    db: Database,
    slack_user_id: str,
    until: date,
    reason: str | None,
    *,
    today: date,
    now: datetime,
    actor: str,
    policy: PausePolicy,
    messages: Messages,
) -> PauseResult:
    """Pause `slack_user_id`'s membership until `until` (their return date), or change the return date
    of the pause they are on. `actor` is the member, or a TSC member (the caller checks), who is then
    named in the audit trail and the member is told. Audited as `pause.started` / `pause.changed`."""

    def work() -> PauseResult:
        with db.transaction() as session:
            member = session.scalar(
                select(Member).where(Member.slack_user_id == slack_user_id).with_for_update()
            )
            term = _active_term(session, member.id) if member else None
            if member is None or member.status != MemberStatus.ACTIVE or term is None:
                return PauseResult(PauseStatus.NOT_AMBASSADOR)
            current = _close_finished(session, open_pause(session, member.id), today)
            start = current.start_on if current else today
            wanted = pause_rules.Pause(start, until)
            refusal = pause_rules.pause_refusal(wanted, today, policy.max_days)
            if refusal is not None:
                return PauseResult(
                    PauseStatus.REFUSED,
                    refusal=refusal,
                    latest_return=pause_rules.latest_return(start, policy.max_days),
                )
            if (
                current is not None
                and current.until_on == until
                and (reason is None or reason == current.reason)
            ):
                return PauseResult(PauseStatus.UNCHANGED, pause_view(current, member, term.end_on))
            previous = current.until_on if current else None
            if current is None:
                current = Pause(
                    member_id=member.id,
                    term_id=term.id,
                    start_on=today,
                    until_on=until,
                    reason=reason,
                    paused_by=actor,
                    term_days=0,
                )
                session.add(current)
            else:
                current.until_on = until
                if reason is not None:
                    current.reason = reason
            _move_term(term, current, pause_rules.term_days(wanted, policy.extends_term))
            session.flush()
            record_audit(
                session,
                actor,
                "pause.started" if previous is None else "pause.changed",
                member.id,
                at=now,
                pause_id=current.id,
                start=current.start_on.isoformat(),
                until=until.isoformat(),
                previous_until=previous.isoformat() if previous else None,
                reason=current.reason,
                term_end=term.end_on.isoformat(),
            )
            view = pause_view(current, member, term.end_on)
            keys = []
            if actor != slack_user_id:
                keys.append(
                    _tell(
                        session,
                        f"paused:{current.id}:{until.isoformat()}",
                        view,
                        messages.paused_by_tsc(view),
                        now,
                    )
                )
            status = PauseStatus.PAUSED if previous is None else PauseStatus.CHANGED
            return PauseResult(status, view, previous_until=previous, outbox_keys=keys)

    return with_one_retry(work)


def resume_member(
    db: Database, slack_user_id: str, *, today: date, now: datetime, actor: str, messages: Messages
) -> ResumeResult:
    """End the member's pause today, before its return date; the term gets back the days not used.
    Audited as `pause.resumed`; a member resumed by a TSC member is told."""
    with db.transaction() as session:
        member = session.scalar(select(Member).where(Member.slack_user_id == slack_user_id).with_for_update())
        term = _active_term(session, member.id) if member else None
        if member is None or member.status != MemberStatus.ACTIVE or term is None:
            return ResumeResult(ResumeStatus.NOT_AMBASSADOR)
        current = _close_finished(session, open_pause(session, member.id), today)
        if current is None:
            return ResumeResult(ResumeStatus.NOT_PAUSED)
        shortened = pause_rules.resumed_on(pause_rules.Pause(current.start_on, current.until_on), today)
        _move_term(term, current, shortened.length_days if current.term_days else 0)
        current.closed_on = shortened.until
        current.closed_by = actor
        record_audit(
            session,
            actor,
            "pause.resumed",
            member.id,
            at=now,
            pause_id=current.id,
            planned_until=current.until_on.isoformat(),
            back_on=shortened.until.isoformat(),
            term_end=term.end_on.isoformat(),
        )
        view = pause_view(current, member, term.end_on)
        keys = []
        if actor != slack_user_id:
            keys.append(_tell(session, f"resumed:{current.id}", view, messages.resumed_by_tsc(view), now))
        return ResumeResult(ResumeStatus.RESUMED, view, keys)


def _tell(session: Session, key: str, view: PauseView, payload: Payload, now: datetime) -> str:
    assert view.slack_user_id, "pauses are asked for in Slack"
    enqueue_message(
        session,
        now=now,
        key=key,
        kind=PAUSED_BY_TSC_KIND,
        channel=view.slack_user_id,
        payload=payload,
        member_id=view.member_id,
    )
    return key


def close_on_leaving(session: Session, member_id: int, today: date, actor: str) -> None:
    """Someone who leaves the program is no longer on a pause (their term is closed anyway)."""
    current = open_pause(session, member_id)
    if current is not None:
        current.closed_on = min(current.until_on, max(current.start_on, today))
        current.closed_by = actor


# --- for the `activity` job ------------------------------------------------------------------------


def returns_due(session: Session, today: date) -> list[PauseView]:
    """Running pauses whose return is a week away or less (`pause_rules.return_notice_due`)."""
    rows = session.execute(
        select(Pause, Member, Term.end_on)
        .join(Member, Member.id == Pause.member_id)
        .outerjoin(Term, and_(Term.member_id == Member.id, ACTIVE_TERM))
        .where(
            pause_running(today),
            Pause.until_on <= today + timedelta(days=pause_rules.RETURN_NOTICE_DAYS),
            Member.status == MemberStatus.ACTIVE,
        )
        .order_by(Pause.until_on, Pause.id)
    ).all()
    return [
        pause_view(pause, member, term_end)
        for pause, member, term_end in rows
        if pause_rules.return_notice_due(pause_rules.Pause(pause.start_on, pause.until_on), today)
    ]


def close_finished(session: Session, today: date, now: datetime) -> int:
    """Close the pauses whose return date has come (audited as `pause.ended`); how many."""
    finished = list(
        session.scalars(
            select(Pause).where(Pause.closed_on.is_(None), Pause.until_on <= today).with_for_update()
        )
    )
    for pause in finished:
        pause.closed_on = pause.until_on
        pause.closed_by = "scheduler"
        record_audit(
            session,
            "scheduler",
            "pause.ended",
            pause.member_id,
            at=now,
            pause_id=pause.id,
            back_on=str(pause.until_on),
        )
    return len(finished)
