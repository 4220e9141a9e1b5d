"""Inactivity, with notice: which ambassadors are due which step today, and each step recorded once per
stretch (`InactivityNotice`). The rules (what a stretch is, when each step comes) are
`bot.rules.inactivity`'s; the `reminders` job sends the DM (with a pace reminder due the same day, as
one message), the `activity` job lists and proposes for the TSC.

The number of statements does not depend on how many ambassadors there are: one read of every
ambassador's stretch, one of the steps taken, one insert of the steps taken now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.rules import inactivity as inactivity_rules
from bot.rules.inactivity import Step
from bot.services import counting
from bot.services.members import pause_running
from bot.store.constants import ACTIVE_TERM
from bot.store.models import (
    Contribution,
    EmeritusProposal,
    InactivityNotice,
    Member,
    MemberStatus,
    Pause,
    ProposalStatus,
    Term,
)


@dataclass(frozen=True)
class DueStep:
    """A step due today for one ambassador, along their current stretch of inactivity."""

    member_id: int
    slack_user_id: str | None
    name: str
    stretch_start: date
    last_contribution: date | None
    days: int  # days inactive today
    step: Step

    @property
    def details(self) -> dict[str, Any]:
        return {
            "stretch_start": self.stretch_start.isoformat(),
            "last_contribution": self.last_contribution.isoformat() if self.last_contribution else None,
            "days": self.days,
        }


def due_steps(
    session: Session, today: date, thresholds: inactivity_rules.Thresholds, zone: tzinfo
) -> list[DueStep]:
    """Every active ambassador with a step due today (`inactivity_rules.next_step`), by member.

    Left out: members on a pause, and members with a proposal waiting for the TSC.
    """
    first = thresholds.first
    if first is None:
        return []
    last_contribution = (
        select(func.max(Contribution.occurred_on))
        .where(Contribution.member_id == Member.id, counting.is_activity(today))
        .correlate(Member)
        .scalar_subquery()
    )
    pause_end = func.coalesce(Pause.closed_on, Pause.until_on)
    back_from_pause = (
        select(func.max(pause_end))
        .where(Pause.member_id == Member.id, or_(Pause.closed_on.is_not(None), Pause.until_on <= today))
        .correlate(Member)
        .scalar_subquery()
    )
    paused = exists().where(Pause.member_id == Member.id, pause_running(today))
    proposed = exists().where(
        EmeritusProposal.member_id == Member.id, EmeritusProposal.status == ProposalStatus.OPEN
    )
    rows = session.execute(
        select(
            Member.id,
            Member.slack_user_id,
            Member.name,
            Member.status_changed_at,
            Term.start_on,
            last_contribution,
            back_from_pause,
        )
        .join(Term, and_(Term.member_id == Member.id, ACTIVE_TERM))
        .where(Member.status == MemberStatus.ACTIVE, ~paused, ~proposed)
        .order_by(Member.id)
    ).all()
    stretches = []
    for member_id, slack_user_id, name, since, term_start, last, back in rows:
        member_since = since.astimezone(zone).date() if since else term_start
        start = inactivity_rules.stretch_start(last, member_since, back)
        if inactivity_rules.days_inactive(start, today) >= first:
            stretches.append((member_id, slack_user_id, name, start, last))
    if not stretches:
        return []
    done: dict[tuple[int, date], dict[Step, date]] = {}
    for member_id, stretch, taken, noticed_on in session.execute(
        select(
            InactivityNotice.member_id,
            InactivityNotice.stretch_start,
            InactivityNotice.step,
            InactivityNotice.noticed_on,
        )
        .join(Member, Member.id == InactivityNotice.member_id)
        .where(Member.status == MemberStatus.ACTIVE)
    ):
        done.setdefault((member_id, stretch), {})[Step(taken)] = noticed_on
    due = []
    for member_id, slack_user_id, name, start, last in stretches:
        step = inactivity_rules.next_step(start, today, done.get((member_id, start), {}), thresholds)
        if step is not None:
            due.append(
                DueStep(
                    member_id,
                    slack_user_id,
                    name,
                    start,
                    last,
                    inactivity_rules.days_inactive(start, today),
                    step,
                )
            )
    return due


def record(session: Session, steps: Sequence[DueStep], today: date, now: datetime) -> None:
    """The steps taken today, once each (insert-or-ignore on member, stretch and step), in one statement."""
    if not steps:
        return
    rows = [
        {
            "member_id": item.member_id,
            "stretch_start": item.stretch_start,
            "step": str(item.step),
            "noticed_on": today,
            "created_at": now,
        }
        for item in steps
    ]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(InactivityNotice).on_conflict_do_nothing(
            index_elements=["member_id", "stretch_start", "step"]
        ),
        rows,
    )
