"""Snoozing progress reminders (`/ambassador snooze`, and the Snooze / Resume buttons).

A snooze pauses only the `reminders` job's DMs; renewal notices and end-of-term messages still go out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services.members import member_by_slack_id, record_audit
from bot.store.db import Database
from bot.store.models import MemberStatus

MAX_SNOOZE_DAYS = 365


class NotAnAmbassador(Exception):
    """Only current ambassadors get reminders, so only they can snooze them."""


@dataclass(frozen=True)
class SnoozeState:
    snoozed_until: datetime | None
    was_snoozed: bool


def snooze(db: Database, slack_user_id: str, days: int, now: datetime) -> SnoozeState:
    """Pause reminders for `days` (1 to 365) from `now`; a new snooze replaces the previous one."""
    if not 1 <= days <= MAX_SNOOZE_DAYS:
        raise ValueError(f"a snooze lasts 1 to {MAX_SNOOZE_DAYS} days")
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None or member.status != MemberStatus.ACTIVE:
            raise NotAnAmbassador(slack_user_id)
        was = member.snoozed_until is not None and member.snoozed_until > now
        member.snoozed_until = now + timedelta(days=days)
        record_audit(
            session,
            slack_user_id,
            "reminders.snoozed",
            member.id,
            at=now,
            days=days,
            until=member.snoozed_until.isoformat(),
        )
        return SnoozeState(member.snoozed_until, was)


def resume(db: Database, slack_user_id: str, now: datetime) -> SnoozeState:
    """Reminders on again; `was_snoozed` tells whether anything changed."""
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None or member.status != MemberStatus.ACTIVE:
            raise NotAnAmbassador(slack_user_id)
        was = member.snoozed_until is not None and member.snoozed_until > now
        if member.snoozed_until is not None:
            member.snoozed_until = None
            record_audit(session, slack_user_id, "reminders.resumed", member.id, at=now)
        return SnoozeState(None, was)
