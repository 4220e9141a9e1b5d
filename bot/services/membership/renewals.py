"""Renewal requests: an ambassador asks to stay on for another year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot.services.members import member_by_slack_id
from bot.services.membership import terms
from bot.store.constants import ACTIVE_TERM
from bot.store.db import Database
from bot.store.models import MemberStatus, Term


def renew_for(
    db: Database, slack_user_id: str, term_id: int | None, *, today: date, now: datetime, required: int
) -> terms.RenewalRequest | None:
    """`slack_user_id` asks to renew their current term (or `term_id`, from a Renew button).

    None when they are not an ambassador. A `term_id` that is not theirs is treated as a term that is
    not current (never renewed on someone else's behalf).
    """
    with db.transaction() as session:
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            return None
        term = session.scalar(select(Term).where(Term.member_id == member.id, ACTIVE_TERM))
        if term_id is None:
            if term is None or member.status != MemberStatus.ACTIVE:
                return None
            term_id = term.id
        elif session.scalar(select(Term.member_id).where(Term.id == term_id)) != member.id:
            return terms.RenewalRequest(
                terms.RenewalStatus.NOT_CURRENT, member.id, slack_user_id, member.name, None, None, None, None
            )
        return terms.request_renewal(
            session, term_id, today=today, now=now, actor=slack_user_id, required=required
        )
