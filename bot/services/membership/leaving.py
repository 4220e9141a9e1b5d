"""A member leaving on their own (`/ambassador step-down`), with thanks: `emeritus.become_emeritus` with the
reason "stepped down" and their note, audited with the member as the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.rules.emeritus import EmeritusReason
from bot.services.members import member_by_slack_id
from bot.services.membership import emeritus, term_records
from bot.services.membership.farewell import Farewell
from bot.store.db import Database
from bot.store.models import MemberStatus


class StepDownStatus(StrEnum):
    STEPPED_DOWN = "stepped_down"
    ALREADY_EMERITUS = "already_emeritus"
    NOT_AMBASSADOR = "not_ambassador"  # unknown, or an applicant: nothing to leave


@dataclass(frozen=True)
class StepDown:
    status: StepDownStatus
    change: term_records.TermChange | None = None


def step_down(
    db: Database,
    slack_user_id: str,
    note: str | None,
    *,
    today: date,
    now: datetime,
    farewell: Farewell,
) -> StepDown:
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None or member.status == MemberStatus.CANDIDATE:
            return StepDown(StepDownStatus.NOT_AMBASSADOR)
        change = emeritus.become_emeritus(
            session,
            member.id,
            EmeritusReason.STEPPED_DOWN,
            note or None,
            today=today,
            now=now,
            actor=slack_user_id,
            farewell=farewell,
            audit_action="member.stepped_down",
        )
        if not change.changed:
            return StepDown(StepDownStatus.ALREADY_EMERITUS, change)
        return StepDown(StepDownStatus.STEPPED_DOWN, change)
