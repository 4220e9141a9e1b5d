"""Who may decide an application: the rule is `membership_rules.decision_refusal`; this reads what it needs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.rules import membership as membership_rules
from bot.services.home_tsc import tsc_slack_ids
from bot.store.db import Database
from bot.store.models import Application, Member


@dataclass(frozen=True)
class Refusal:
    reason: membership_rules.DecisionRefusal
    only_tsc_member: bool  # the decider is the only TSC member: nobody can decide it yet


def application_refusal(
    db: Database,
    decider: str,
    decider_is_tsc: bool,
    application_id: int | None,
    configured_tsc: list[str],
) -> Refusal | None:
    """Why `decider` may not approve or reject this application, or None when they may."""
    requester = None
    if application_id is not None:
        with db.transaction() as session:
            requester = session.scalar(
                select(Member.slack_user_id)
                .join(Application, Application.member_id == Member.id)
                .where(Application.id == application_id)
            )
    reason = membership_rules.decision_refusal(decider, decider_is_tsc, requester)
    if reason is None:
        return None
    only = reason is membership_rules.DecisionRefusal.OWN_REQUEST and set(
        tsc_slack_ids(db, configured_tsc)
    ) <= {decider}
    return Refusal(reason, only)
