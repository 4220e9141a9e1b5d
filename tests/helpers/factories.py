"""Putting members, terms and contributions straight into the database for a test's starting point."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.rules import membership as membership_rules
from bot.store.db import Database
from bot.store.models import Contribution, Member, MemberStatus, Term, TermStatus


def add_member(
    db: Database,
    slack_user_id: str | None,
    name: str = "Jane Doe",
    *,
    status: str = MemberStatus.CANDIDATE,
    **profile: Any,
) -> int:
    with db.transaction() as session:
        member = Member(slack_user_id=slack_user_id, name=name, status=status, **profile)
        session.add(member)
        session.flush()
        return member.id


def enrol(
    db: Database,
    slack_user_id: str | None,
    start: date,
    name: str = "Jane Doe",
    *,
    end: date | None = None,
    **profile: Any,
) -> int:
    """An active ambassador whose current term starts on `start` (one year, unless `end` is given)."""
    member_id = add_member(db, slack_user_id, name, status=MemberStatus.ACTIVE, **profile)
    term = membership_rules.first_term(start)
    with db.transaction() as session:
        session.add(
            Term(member_id=member_id, start_on=start, end_on=end or term.end, status=TermStatus.ACTIVE)
        )
    return member_id


def add_contribution(
    db: Database,
    member_id: int,
    occurred_on: date,
    *,
    type_: str = "article",
    title: str = "An article",
    link: str | None = None,
    logged_by: str | None = None,
    review_state: str = "none",
) -> int:
    link = (
        link
        if link is not None
        else f"https://example.com/{member_id}/{occurred_on.isoformat()}/{title.replace(' ', '-')}"
    )
    with db.transaction() as session:
        contribution = Contribution(
            member_id=member_id,
            type=type_,
            title=title,
            link=link,
            link_key=membership_rules.normalize_link(link) if link else None,
            year=occurred_on.year,
            month=membership_rules.month_label(occurred_on),
            occurred_on=occurred_on,
            date_precision="day",
            source="slack",
            logged_by=logged_by,
            logged_at=datetime(occurred_on.year, occurred_on.month, occurred_on.day, 12, tzinfo=UTC),
            review_state=review_state,
        )
        session.add(contribution)
        session.flush()
        return contribution.id
